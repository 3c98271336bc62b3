"""Rule packs: YAML files of rules, validated on load.

Loading collects every problem before it reports, each as `file:line: message`
(a `PackError` carries them all). A loaded `RulePack` owns its compiled phrase matcher
and its own jieba tokenizer, so two packs can be loaded side by side.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cs_qa import checks
from cs_qa.checks import PHRASE_STEPS, PHRASES, CheckParams, CheckType, RuleView
from cs_qa.core.matching import PATTERN_PREFIX, Matcher, PhraseSet
from cs_qa.core.model import Conversation
from cs_qa.core.normalize import normalize
from cs_qa.core.windows import CONDITION_KEYS, Condition
from cs_qa.packs.notation import NotationError, parse_example
from cs_qa.packs.targets import TargetsError, TargetsSpec, parse_targets

BUILTIN_PACKAGE = "cs_qa.rules"
DEFAULT_PACK = "general"
EXAMPLE_KINDS = ("violates", "passes", "todo_violates", "todo_passes")

# Bounds on what a pack may hold: a pack is data from whoever wrote it, and loading it
# must neither run code nor take unbounded time or memory. (Regex patterns are bounded
# by `cs_qa.checks.regex`.)
MAX_PACK_BYTES = 5_000_000  # one pack file
MAX_PACK_VALUES = 1_000_000  # YAML values, with every alias (*name) counted in full
MAX_PACK_DEPTH = 100  # levels of nested mappings and lists
MAX_PHRASE_CHARS = 100  # one phrase
MAX_LIST_PHRASES = 5_000  # one phrase list of a rule, as written
MAX_LEXICON_PHRASES = 10_000  # one lexicon
MAX_PACK_PHRASES = 50_000  # distinct phrases in a pack: its lexicons and rules together
_BRACKETS = re.compile(r"[\[\]{}]")
# The only YAML tags a pack may use (implicitly or written out): plain data.
PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")
) | {"tag:yaml.org,2002:timestamp"}


@dataclass(frozen=True, slots=True)
class PackProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PackError(Exception):
    """Every problem found while loading a pack."""

    def __init__(self, problems: list[PackProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class Example:
    kind: str  # violates | passes | todo_violates | todo_passes
    text: str
    file: str
    line: int
    index: int  # position among the rule's examples of the same kind
    conversation: Conversation

    @property
    def expects_violation(self) -> bool:
        return self.kind in ("violates", "todo_violates")

    @property
    def todo(self) -> bool:
        return self.kind.startswith("todo_")

    @property
    def name(self) -> str:
        return f"{self.kind}[{self.index}]"


@dataclass(slots=True)
class Rule:
    id: str
    title: str
    check: CheckType
    params: CheckParams
    category: str = "其他"
    title_en: str | None = None
    description: str | None = None
    speaker: str = "agent"
    channel: str = "any"
    deduct: float = 0.0
    cap: float | None = None
    fatal: bool = False
    flag: bool = False
    renamed_from: str | None = None
    file: str = ""
    line: int = 0
    examples: list[Example] = field(default_factory=list)
    # phrase-list parameters, lexicon references expanded, as written and as matched
    lists: dict[str, list[str]] = field(default_factory=dict)
    sets: dict[str, PhraseSet] = field(default_factory=dict)
    # `when:` / `unless:` (cs_qa.core.windows); their phrase sets are in `sets` by path
    when: Condition | None = None
    unless: Condition | None = None
    # what the check sees of the rule (cs_qa.checks.RuleView), built with the rule
    view: RuleView[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        own = type(self.params).model_fields  # the check's parameters, not conditions
        self.view = RuleView(
            self.id,
            self.speaker,
            self.params,
            {k: v for k, v in self.lists.items() if k.split(".")[0] in own},
            {k: v for k, v in self.sets.items() if k.split(".")[0] in own},
        )

    def phrases(self, name: str) -> PhraseSet:
        return self.sets[name]

    def applies_to(self, channel: str) -> bool:
        return self.channel in ("any", channel)

    def describe(self) -> dict[str, Any]:
        """The rule's identity and weight, as stored in a dataset's manifest."""
        return {
            "id": self.id,
            "title": self.title,
            "title_en": self.title_en,
            "category": self.category,
            "check": self.check.name,
            "deduct": self.deduct,
            "cap": self.cap,
            "fatal": self.fatal,
            "flag": self.flag,
            "channel": self.channel,
            "speaker": self.speaker,
            "renamed_from": self.renamed_from,
        }


@dataclass(slots=True)
class RulePack:
    name: str
    version: str
    title: str
    base: float
    pass_mark: float
    rules: list[Rule]
    lexicons: dict[str, list[str]]
    path: str
    sha256: str
    matcher: Matcher
    targets: TargetsSpec | None = None
    source: str = ""  # the resolved file, for worker processes to load the same pack

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def only(self, rule_id: str) -> RulePack:
        """The same pack with only one rule enabled (how examples are run)."""
        return replace(self, rules=[self.rule(rule_id)])

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "title": self.title,
            "sha256": self.sha256,
            "base": self.base,
            "pass_mark": self.pass_mark,
            "path": self.path,
            "targets": self.targets.model_dump() if self.targets else None,
        }


# ---------------------------------------------------------------------------- schema


class Scoring(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base: float = Field(default=100, gt=0)
    pass_mark: float = Field(default=80, ge=0)


class PackHead(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pack: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    version: str
    title: str
    title_en: str | None = None
    description: str | None = None
    scoring: Scoring = Scoring()
    extends: str | None = None
    targets: dict[str, Any] | None = None
    override: dict[str, dict[str, Any]] = {}
    disable: list[str] = []
    lexicons: dict[str, list[str]] = {}
    rules: list[Any] = []


class RuleHead(BaseModel):
    """Keys every rule may have; the rest belong to its check type."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
    title: str = Field(min_length=1)
    title_en: str | None = None
    description: str | None = None
    category: str = "其他"
    check: str
    speaker: Literal["agent", "customer", "system"] = "agent"
    channel: Literal["chat", "call", "any"] = "any"
    deduct: float | None = Field(default=None, gt=0)
    cap: float | None = Field(default=None, gt=0)
    fatal: bool = False
    flag: bool = False
    renamed_from: str | None = None
    examples: list[dict[str, str]] = []
    when: Condition | None = None
    unless: Condition | None = None


RULE_KEYS = frozenset(RuleHead.model_fields)


# ---------------------------------------------------------------------------- loading


def builtin_packs() -> dict[str, Path]:
    """Built-in packs by name (the YAML files installed with the package)."""
    root = resources.files(BUILTIN_PACKAGE)
    return {Path(str(p)).stem: Path(str(p)) for p in root.iterdir() if str(p).endswith(".yaml")}


def resolve_pack(spec: str | Path | None) -> Path:
    """A pack path from a path or a built-in pack name (default: general)."""
    if spec is None:
        spec = DEFAULT_PACK
    path = Path(spec)
    if path.exists():
        return path
    packs = builtin_packs()
    if str(spec) in packs:
        return packs[str(spec)]
    raise FileNotFoundError(
        f"{spec}: no such rule pack file, and not a built-in pack ({', '.join(sorted(packs))})"
    )


def load_pack(spec: str | Path | None = None) -> RulePack:
    """Load and fully validate a pack; raise `PackError` with every problem found."""
    path = resolve_pack(spec)
    # Problems name the file as the user gave it; a built-in pack by its place in rules/.
    shown = str(spec) if spec is not None and Path(spec).exists() else f"rules/{path.name}"
    too_big = _too_big(path)
    if too_big:
        raise PackError([PackProblem(shown, 1, too_big)])
    raw = path.read_bytes()
    pack = parse_pack(raw.decode("utf-8-sig"), shown, hashlib.sha256(raw).hexdigest())
    pack.source = str(path.resolve())
    return pack


def parse_pack(text: str, filename: str = "<pack>", sha256: str = "") -> RulePack:
    loader = _Loader(filename)
    pack = loader.load(text)
    if loader.problems or pack is None:
        raise PackError(sorted(set(loader.problems), key=lambda p: (p.line, p.message)))
    pack.sha256 = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    return pack


def _too_big(path: Path) -> str | None:
    """Why a pack file is too large to load, or None (checked before it is read)."""
    size = path.stat().st_size
    if size <= MAX_PACK_BYTES:
        return None
    return f"the pack file is {size:,} bytes, more than {MAX_PACK_BYTES:,}; split it into packs"


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org") else tag


@cache
def _plain_constructor() -> type:
    """ruamel's round-trip constructor, refusing every tag but plain data's.

    The round-trip loader never builds Python objects (a `!!python/...` tag would come
    back as a tagged value), but a pack has no use for any tag, so a tag other than
    plain data's is a problem at its line, and the value is not built at all."""
    from ruamel.yaml.comments import TaggedScalar
    from ruamel.yaml.constructor import RoundTripConstructor

    class PlainConstructor(RoundTripConstructor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.refused: list[tuple[int, str]] = []

        def construct_non_recursive_object(self, node: Any, tag: Any = None) -> Any:
            name = str(tag if tag is not None else node.tag)
            if name not in PLAIN_TAGS:
                self.refused.append(
                    (
                        node.start_mark.line + 1,
                        f"YAML tag {_short_tag(name)} is not allowed: a rule pack is plain "
                        "data (mappings, lists, strings, numbers, true/false, null)",
                    )
                )
                return None
            data = super().construct_non_recursive_object(node, tag)
            if isinstance(data, TaggedScalar):  # an explicit !!str
                return str(data.value)
            return data

    return PlainConstructor


def _flow_depth(text: str) -> int:
    """How deep [ and { nest in a text, counting every bracket (an upper bound of the
    flow nesting of a YAML document: brackets in text are usually balanced)."""
    depth = deepest = 0
    for m in _BRACKETS.finditer(text):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def _measure(doc: Any) -> tuple[int, int]:
    """How many values a loaded document has, aliases counted in full, and how deep it
    nests; counted without expanding aliases (a shared value is measured once)."""
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    started: set[int] = set()
    stack: list[tuple[Any, bool]] = [(doc, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children: list[Any] = []
        if hasattr(node, "items"):
            children = [*node.keys(), *node.values()]
        elif isinstance(node, list):
            children = list(node)
        if done:
            # a value inside itself (ruamel makes those None; counted once, if ever)
            sizes[key] = 1 + sum(sizes.get(id(c), 1) for c in children)
            depths[key] = 1 + max(depths.get(id(c), 0) for c in children)
        elif not children:
            sizes[key], depths[key] = 1, 0
        elif key not in started:
            started.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(doc)], depths[id(doc)]


def _line(node: Any, key: Any = None, default: int = 0) -> int:
    """1-based line of a mapping key or sequence item in a ruamel document."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return default
    try:
        if key is None:
            return lc.line + 1
        if isinstance(key, int) and not hasattr(node, "keys"):
            return lc.item(key)[0] + 1
        return lc.key(key)[0] + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return default


def _plain(node: Any) -> Any:
    """ruamel's commented containers as plain dicts, lists and strings."""
    if hasattr(node, "items"):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


@dataclass(slots=True)
class _Source:
    """One rule as written (possibly merged with a child pack's override), and where."""

    node: Any
    file: str
    line: int
    examples_file: str


@dataclass(slots=True)
class _Collected:
    head: PackHead
    sources: list[_Source]
    lexicons: dict[str, list[str]]
    scoring: dict[str, Any]
    targets: TargetsSpec | None = None


class _Loader:
    def __init__(self, filename: str) -> None:
        self.file = filename  # the file problems are reported against
        self.problems: list[PackProblem] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(PackProblem(self.file, line, message))

    def load(self, text: str) -> RulePack | None:
        root = self.file
        collected = self._collect(text, root, ())
        if collected is None:
            return None
        rules: list[Rule] = []
        seen: dict[str, str] = {}
        for src in collected.sources:
            self.file = src.file
            rule = self._rule(src, collected.lexicons)
            if rule is None:
                continue
            if rule.id in seen:
                self.problem(
                    src.line,
                    f"duplicate rule id {rule.id!r} (first at {seen[rule.id]}); "
                    "to change an inherited rule use override:",
                )
                continue
            seen[rule.id] = f"{src.file}:{src.line}"
            rules.append(rule)
        if not rules and not self.problems:
            self.problem(1, "the pack has no rules")
        self.file = root
        distinct = {p for ps in collected.lexicons.values() for p in ps}
        distinct.update(p for r in rules for ps in r.lists.values() for p in ps)
        if len(distinct) > MAX_PACK_PHRASES:
            self.problem(
                1,
                f"the pack has {len(distinct):,} distinct phrases (lexicons and rules "
                f"together), more than {MAX_PACK_PHRASES:,}",
            )
        head = collected.head.model_copy(update={"scoring": Scoring(**collected.scoring)})
        self.file = root
        pack = self._assemble(head, rules, collected.lexicons)
        pack.targets = collected.targets
        return pack

    def _parse(self, text: str) -> Any:
        from ruamel.yaml import YAML
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        if len(text) > MAX_PACK_BYTES or len(text.encode("utf-8")) > MAX_PACK_BYTES:
            self.problem(1, f"the pack is more than {MAX_PACK_BYTES:,} bytes; split it into packs")
            return None
        if _flow_depth(text) > MAX_PACK_DEPTH:
            # before parsing: ruamel's scanner takes quadratic time in flow nesting
            self.problem(1, f"YAML: nested more than {MAX_PACK_DEPTH} levels deep")
            return None
        # The round-trip loader builds only plain containers and scalars, and keeps the
        # line of every key for error messages; its constructor refuses every other tag
        # (`!!python/object/apply:...` is never constructed, let alone run).
        yaml = YAML(typ="rt")
        yaml.Constructor = _plain_constructor()
        try:
            doc = yaml.load(text)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            self.problem(line, f"YAML: {exc.problem or exc.context}")
            return None
        except YAMLError as exc:
            self.problem(1, f"YAML: {exc}")
            return None
        except RecursionError:
            self.problem(1, f"YAML: nested more than {MAX_PACK_DEPTH} levels deep")
            return None
        refused = yaml.constructor.refused
        for line, message in refused:
            self.problem(line, message)
        if refused:
            return None
        values, depth = _measure(doc)
        if values > MAX_PACK_VALUES:
            self.problem(
                1,
                f"the pack has {values:,} values when its aliases (*name) are expanded, "
                f"more than {MAX_PACK_VALUES:,}",
            )
            return None
        if depth > MAX_PACK_DEPTH:
            self.problem(1, f"YAML: nested more than {MAX_PACK_DEPTH} levels deep")
            return None
        if not hasattr(doc, "items"):
            self.problem(1, "a rule pack is a YAML mapping with keys pack, version, title, rules")
            return None
        return doc

    def _collect(self, text: str, file: str, chain: tuple[str, ...]) -> _Collected | None:
        """A pack's rule sources, lexicons and scoring, with what it extends applied."""
        self.file = file
        doc = self._parse(text)
        if doc is None:
            return None
        try:
            head = PackHead.model_validate(_plain(doc))
        except ValidationError as exc:
            self._report(exc, doc, "")
            return None
        parent: _Collected | None = None
        if head.extends:
            parent = self._parent(head.extends, doc, file, chain)
            self.file = file
            if parent is None:
                return None
        elif not head.rules:
            self.problem(_line(doc, "rules", 1), "the pack has no rules")
        lexicons = dict(parent.lexicons) if parent else {}
        lexicons.update(self._lexicons(doc))
        scoring = dict(parent.scoring) if parent else {}
        scoring.update(_plain(doc.get("scoring") or {}))
        sources = list(parent.sources) if parent else []
        if head.disable or head.override:
            if parent is None:
                key = "disable" if head.disable else "override"
                self.problem(_line(doc, key, 1), f"{key}: needs extends: (a pack to inherit from)")
            else:
                sources = self._amend(doc, file, sources)
        rule_nodes = doc.get("rules") or []
        for i, node in enumerate(rule_nodes):
            line = _line(rule_nodes, i, 1)
            if not hasattr(node, "items"):
                self.problem(line, "a rule is a mapping with keys id, title, check, …")
                continue
            sources.append(_Source(node, file, line, file))
        targets = parent.targets if parent else None
        if head.targets is not None:
            try:
                targets = parse_targets(head.targets, "targets")
            except TargetsError as exc:
                self.problem(_line(doc, "targets", 1), str(exc))
        return _Collected(head, sources, lexicons, scoring, targets)

    def _parent(self, spec: str, doc: Any, file: str, chain: tuple[str, ...]) -> _Collected | None:
        line = _line(doc, "extends", 1)
        here = Path(file).parent
        candidate = here / spec
        try:
            path = candidate if candidate.exists() else resolve_pack(spec)
        except FileNotFoundError as exc:
            self.problem(line, f"extends: {exc}")
            return None
        shown = str(path) if path == candidate else f"rules/{path.name}"
        key = str(path.resolve())
        if key in chain:
            self.problem(line, f"extends: {spec!r} extends this pack again (a cycle)")
            return None
        too_big = _too_big(path)
        if too_big:
            self.problem(line, f"extends: {shown}: {too_big}")
            return None
        return self._collect(path.read_text(encoding="utf-8-sig"), shown, (*chain, key))

    def _amend(self, doc: Any, file: str, sources: list[_Source]) -> list[_Source]:
        """Apply a child pack's disable: and override: to the rules it inherits."""
        from ruamel.yaml.comments import CommentedMap

        by_id = {str(s.node.get("id")): s for s in sources if hasattr(s.node, "get")}
        disabled: set[str] = set()
        disable = doc.get("disable") or []
        for i, rule_id in enumerate(disable):
            if str(rule_id) not in by_id:
                self.problem(_line(disable, i, 1), f"disable: no inherited rule {rule_id!r}")
            disabled.add(str(rule_id))
        overrides = doc.get("override") or {}
        replaced: dict[str, _Source] = {}
        for rule_id, changes in overrides.items():
            line = _line(overrides, rule_id, 1)
            if str(rule_id) not in by_id:
                self.problem(line, f"override: no inherited rule {rule_id!r}")
                continue
            if not hasattr(changes, "items"):
                self.problem(line, f"override {rule_id}: give a mapping of the keys to change")
                continue
            fixed = [k for k in changes if k in ("id", "check")]
            if fixed:
                self.problem(line, f"override {rule_id}: {fixed[0]} cannot be overridden")
                continue
            original = by_id[str(rule_id)]
            # A new weight replaces the inherited one: {flag: true} drops deduct and cap.
            reweighed = any(k in changes for k in ("deduct", "fatal", "flag"))
            merged = CommentedMap()
            for k, v in original.node.items():
                if reweighed and k in ("deduct", "cap", "fatal", "flag"):
                    continue
                merged[k] = v
            for k, v in changes.items():
                merged[k] = v
            examples_file = file if "examples" in changes else original.examples_file
            replaced[str(rule_id)] = _Source(merged, file, line, examples_file)
        return [
            replaced.get(str(s.node.get("id")), s)
            for s in sources
            if str(s.node.get("id")) not in disabled
        ]

    def _lexicons(self, doc: Any) -> dict[str, list[str]]:
        node = doc.get("lexicons") or {}
        out: dict[str, list[str]] = {}
        if not hasattr(node, "items"):
            return out
        for name, phrases in node.items():
            line = _line(node, name, 1)
            if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                continue  # PackHead validation reports the type
            if not phrases:
                self.problem(line, f"lexicon {name!r} is empty")
            if len(phrases) > MAX_LEXICON_PHRASES:
                self.problem(
                    line,
                    f"lexicon {name!r} has {len(phrases):,} phrases, more than "
                    f"{MAX_LEXICON_PHRASES:,}; split it",
                )
            for p in phrases:
                if len(p) > MAX_PHRASE_CHARS:
                    self.problem(line, f"lexicon {name!r}: {_long_phrase(p)}")
                elif not normalize(p):
                    self.problem(line, f"lexicon {name!r}: phrase {p!r} normalises to nothing")
            out[str(name)] = [str(p) for p in phrases]
        return out

    def _rule(self, src: _Source, lexicons: dict[str, list[str]]) -> Rule | None:
        node, line = src.node, src.line
        data = _plain(node)
        rid = data.get("id", f"#{line}")
        head_data = {k: v for k, v in data.items() if k in RULE_KEYS}
        params_data = {k: v for k, v in data.items() if k not in RULE_KEYS}
        try:
            head = RuleHead.model_validate(head_data)
        except ValidationError as exc:
            self._report(exc, node, f"rule {rid}: ", line)
            return None
        check = checks.get(head.check)
        if check is None:
            known = ", ".join(checks.all_checks())
            self.problem(
                _line(node, "check", line),
                f"rule {rid}: unknown check type {head.check!r} ({known})",
            )
            return None
        ok = True
        weights = [head.deduct is not None, head.fatal, head.flag]
        if sum(weights) != 1:
            self.problem(
                line, f"rule {rid}: give exactly one of deduct: N, fatal: true, flag: true"
            )
            ok = False
        if head.cap is not None and head.deduct is None:
            self.problem(_line(node, "cap", line), f"rule {rid}: cap goes with deduct")
            ok = False
        if check.flag_only and not head.flag:
            self.problem(line, f"rule {rid}: check {check.name} marks for review: give flag: true")
            ok = False
        # Expand lexicon references in phrase lists before validating parameters.
        phrase_fields = [
            name for name, f in check.params.model_fields.items() if PHRASES in f.metadata
        ]
        step_fields = [
            name for name, f in check.params.model_fields.items() if PHRASE_STEPS in f.metadata
        ]
        lists: dict[str, list[str]] = {}
        for name in phrase_fields:
            expanded = self._expand(params_data.get(name), rid, name, node, line, lexicons)
            if expanded is None:
                continue
            if not expanded and name != "exceptions" and not self.problems_in(rid):
                self.problem(_line(node, name, line), f"rule {rid}: {name}: empty phrase list")
            params_data[name] = lists[name] = expanded
        for name in step_fields:
            value = params_data.get(name)
            if not isinstance(value, list):
                continue  # the params model reports the type
            steps = []
            for i, step in enumerate(value):
                if not isinstance(step, list):
                    self.problem(
                        _line(node, name, line),
                        f"rule {rid}: {name}.{i}: a step is a list of phrases, e.g. [文明用语]",
                    )
                    continue
                expanded = self._expand(step, rid, f"{name}.{i}", node, line, lexicons)
                if not expanded and not self.problems_in(rid):
                    self.problem(
                        _line(node, name, line), f"rule {rid}: {name}.{i}: empty phrase list"
                    )
                expanded = expanded or []
                steps.append(expanded)
                lists[f"{name}.{i}"] = expanded
            params_data[name] = steps
        try:
            params = check.params.model_validate(params_data)
        except ValidationError as exc:
            self._report(exc, node, f"rule {rid}: ", line, check)
            return None
        if not ok:
            return None
        if self.problems_in(rid):
            return None
        for name in phrase_fields:
            lists.setdefault(name, list(getattr(params, name) or []))
        exceptions = lists.get("exceptions", [])
        word = getattr(params, "boundary", "char") == "word"
        skip = getattr(params, "skip", ())
        sets = {
            name: PhraseSet.of(phrases, exceptions, word, skip)
            for name, phrases in lists.items()
            if name != "exceptions"
        }
        if exceptions:
            # on their own too, for checks that match by other means (regex)
            sets["exceptions"] = PhraseSet.of(exceptions, (), word)
        for key in CONDITION_KEYS:
            cond = getattr(head, key)
            leaves = list(cond.leaves(key)) if cond is not None else []
            names = {leaf.name for _, leaf in leaves if leaf.name}
            for path, leaf in leaves:
                if leaf.window is not None and leaf.window.of and leaf.window.of not in names:
                    known = f" (names: {', '.join(sorted(names))})" if names else ""
                    self.problem(
                        _line(node, key, line),
                        f"rule {rid}: {path}: of: {leaf.window.of!r} names no condition{known}",
                    )
            for path, leaf in leaves:
                expanded = self._expand(leaf.phrases, rid, f"{path}.phrases", node, line, lexicons)
                if not expanded:
                    if not self.problems_in(rid):
                        self.problem(
                            _line(node, key, line), f"rule {rid}: {path}: empty phrase list"
                        )
                    continue
                lists[path] = expanded
                sets[path] = PhraseSet.of(expanded, (), False, leaf.skip)
        if self.problems_in(rid):
            return None
        rule = Rule(
            id=head.id,
            title=head.title,
            check=check,
            params=params,
            category=head.category,
            title_en=head.title_en,
            description=head.description,
            speaker=head.speaker,
            channel=head.channel,
            deduct=head.deduct or 0.0,
            cap=head.cap,
            fatal=head.fatal,
            flag=head.flag,
            renamed_from=head.renamed_from,
            file=src.file,
            line=line,
            lists=lists,
            sets=sets,
            when=head.when,
            unless=head.unless,
        )
        self.file = src.examples_file
        rule.examples = self._examples(node, rule)
        self.file = src.file
        return rule

    def _expand(
        self,
        value: Any,
        rid: str,
        name: str,
        node: Any,
        line: int,
        lexicons: dict[str, list[str]],
    ) -> list[str] | None:
        """A phrase list with `@lexicon` references expanded; None when it is not a list
        (the parameter model then reports the type). Problems are reported here."""
        if not isinstance(value, list):
            return None
        key = name.split(".")[0]
        if len(value) > MAX_LIST_PHRASES:
            self.problem(
                _line(node, key, line),
                f"rule {rid}: {name}: {len(value):,} phrases, more than {MAX_LIST_PHRASES:,} "
                "in one list; put them in a lexicon (lexicons: name: [...]) and write @name",
            )
            return None
        expanded: list[str] = []
        for item in value:
            if isinstance(item, str) and item.startswith("@"):
                if item[1:] not in lexicons:
                    known = f" (lexicons: {', '.join(lexicons)})" if lexicons else ""
                    self.problem(
                        _line(node, key, line),
                        f"rule {rid}: {name}: unknown lexicon {item[1:]!r}{known}",
                    )
                    continue
                expanded.extend(lexicons[item[1:]])
            else:
                if isinstance(item, str) and len(item) > MAX_PHRASE_CHARS:
                    self.problem(
                        _line(node, key, line), f"rule {rid}: {name}: {_long_phrase(item)}"
                    )
                    continue
                expanded.append(item)
        for p in expanded:
            if isinstance(p, str) and p.startswith(PATTERN_PREFIX):
                problem = _pattern_problem(p[len(PATTERN_PREFIX) :])
                if problem:
                    self.problem(_line(node, key, line), f"rule {rid}: {name}: {problem}")
                continue
            if isinstance(p, str) and len(p) <= MAX_PHRASE_CHARS and not normalize(p):
                self.problem(
                    _line(node, key, line),
                    f"rule {rid}: {name}: phrase {p!r} normalises to nothing",
                )
        return expanded

    def problems_in(self, rid: str) -> bool:
        """Whether a problem has been reported for rule `rid` (so it is not built)."""
        prefix = f"rule {rid}: "
        return any(p.message.startswith(prefix) for p in self.problems)

    def _examples(self, node: Any, rule: Rule) -> list[Example]:
        from ruamel.yaml.scalarstring import LiteralScalarString

        seq = node.get("examples") or []
        out: list[Example] = []
        counts = dict.fromkeys(EXAMPLE_KINDS, 0)
        for i, item in enumerate(seq):
            line = _line(seq, i, rule.line)
            if len(item) != 1:
                self.problem(
                    line, f"rule {rule.id}: an example has one key: {', '.join(EXAMPLE_KINDS)}"
                )
                continue
            kind, text = next(iter(item.items()))
            if kind not in EXAMPLE_KINDS:
                self.problem(
                    line,
                    f"rule {rule.id}: unknown example kind {kind!r} ({', '.join(EXAMPLE_KINDS)})",
                )
                continue
            try:
                conversation = parse_example(str(text), f"{rule.id}::{kind}[{counts[kind]}]")
            except NotationError as exc:
                # A literal block (|) starts on the line after its key, one turn a line;
                # any other scalar is reported on its key's line.
                at = line + 1 + exc.offset if isinstance(text, LiteralScalarString) else line
                self.problem(at, f"rule {rule.id}: example {kind}: {exc}")
                continue
            out.append(Example(kind, str(text), self.file, line, counts[kind], conversation))
            counts[kind] += 1
        if not counts["violates"] or not counts["passes"]:
            self.problem(
                rule.line, f"rule {rule.id}: needs at least one violates and one passes example"
            )
        return out

    def _report(
        self,
        exc: ValidationError,
        node: Any,
        prefix: str,
        default: int = 1,
        check: CheckType | None = None,
    ) -> None:
        for err in exc.errors():
            loc = [p for p in err["loc"]]
            line = _locate(node, loc, default)
            where = ".".join(str(p) for p in loc)
            if err["type"] == "extra_forbidden":
                allowed = sorted(RULE_KEYS | set(check.params.model_fields)) if check else None
                msg = f"unknown key {where!r}"
                if check is not None:
                    msg += f" for check {check.name} (allowed: {', '.join(allowed or [])})"
            elif err["type"] == "missing":
                msg = f"missing key {where!r}"
            else:
                text = err["msg"].removeprefix("Value error, ")
                msg = f"{where}: {text}" if where else text
            self.problem(line, prefix + msg)

    def _assemble(
        self, head: PackHead, rules: list[Rule], lexicons: dict[str, list[str]]
    ) -> RulePack:
        phrases: set[str] = set()
        words: set[str] = set()
        for rule in rules:
            for s in rule.sets.values():
                phrases |= s.phrases | s.exceptions
                if s.word_boundary:
                    words |= s.phrases | s.exceptions
        return RulePack(
            name=head.pack,
            version=head.version,
            title=head.title,
            base=head.scoring.base,
            pass_mark=head.scoring.pass_mark,
            rules=rules,
            lexicons=lexicons,
            path=self.file,
            sha256="",
            matcher=Matcher(phrases, words),
        )


def _pattern_problem(pattern: str) -> str | None:
    """Why a `re:` item of a phrase list cannot be used (the regex check's safety rules)."""
    from cs_qa.checks.regex import Params as RegexParams

    try:
        RegexParams(patterns=[pattern])
    except ValidationError as exc:
        return exc.errors()[0]["msg"].removeprefix("Value error, ")
    return None


def _long_phrase(phrase: str) -> str:
    return (
        f"phrase {phrase[:20]!r}… is {len(phrase)} characters, more than {MAX_PHRASE_CHARS}; "
        "a phrase is a few words said in a turn"
    )


def _locate(node: Any, loc: Iterable[Any], default: int) -> int:
    line = default
    for part in loc:
        if hasattr(node, "items") and part in node:
            line = _line(node, part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            line = _line(node, part, line)
            node = node[part]
        else:
            break
    return line
