"""Loading a rule pack: a file or a built-in pack by name, what it extends (with its
`disable:` and `override:`), its lexicons and rules, validated in full.

Loading collects every problem before it reports, each as `file:line: message` (a
`PackError` carries them all), and a loaded `RulePack` compiles every phrase of its
rules into one matcher.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cs_qa.core.matching import Matcher
from cs_qa.packs.model import Rule, RulePack
from cs_qa.packs.phrases import read_lexicons
from cs_qa.packs.problems import PackError, PackProblem, Problems
from cs_qa.packs.rule_loader import RuleSource, build_rule
from cs_qa.packs.safe_yaml import line_of, plain, read_yaml, too_big
from cs_qa.packs.schema import PackHead, Scoring, report_errors
from cs_qa.packs.targets import TargetsError, TargetsSpec, parse_targets

BUILTIN_PACKAGE = "cs_qa.rules"
DEFAULT_PACK = "general"
MAX_PACK_PHRASES = 50_000  # distinct phrases in a pack: its lexicons and rules together


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
    why = too_big(path)
    if why:
        raise PackError([PackProblem(shown, 1, "too_large", why)])
    raw = path.read_bytes()
    pack = parse_pack(raw.decode("utf-8-sig"), shown, hashlib.sha256(raw).hexdigest())
    pack.source = str(path.resolve())
    return pack


def parse_pack(text: str, filename: str = "<pack>", sha256: str = "") -> RulePack:
    """Load a pack from its text (problems name `filename`); raise `PackError` with
    every problem found."""
    loader = _PackLoader(filename)
    pack = loader.load(text)
    if loader.problems.found or pack is None:
        raise PackError(loader.problems.sorted())
    pack.sha256 = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    return pack


@dataclass(slots=True)
class _Collected:
    """What a pack file gives, with what it extends applied: its head, its rules as
    written, its lexicons, scoring and targets."""

    head: PackHead
    sources: list[RuleSource]
    lexicons: dict[str, list[str]]
    scoring: dict[str, Any]
    targets: TargetsSpec | None = None


class _PackLoader:
    """Loads one pack with what it extends, collecting every problem in `problems`."""

    def __init__(self, filename: str) -> None:
        self.problems = Problems(filename)

    def load(self, text: str) -> RulePack | None:
        """The pack in `text`, or None when it cannot be built at all."""
        root = self.problems.file
        collected = self._collect(text, root, ())
        if collected is None:
            return None
        rules: list[Rule] = []
        seen: dict[str, str] = {}
        for src in collected.sources:
            self.problems.file = src.file
            rule = build_rule(src, collected.lexicons, self.problems)
            if rule is None:
                continue
            if rule.id in seen:
                self.problems.add(
                    src.line,
                    "duplicate_rule",
                    f"duplicate rule id {rule.id!r} (first at {seen[rule.id]}); "
                    "to change an inherited rule use override:",
                )
                continue
            seen[rule.id] = f"{src.file}:{src.line}"
            rules.append(rule)
        if not rules and not self.problems.found:
            self.problems.add(1, "no_rules", "the pack has no rules")
        self.problems.file = root
        distinct = {p for ps in collected.lexicons.values() for p in ps}
        distinct.update(p for r in rules for ps in r.lists.values() for p in ps)
        if len(distinct) > MAX_PACK_PHRASES:
            self.problems.add(
                1,
                "too_large",
                f"the pack has {len(distinct):,} distinct phrases (lexicons and rules "
                f"together), more than {MAX_PACK_PHRASES:,}",
            )
        head = collected.head.model_copy(update={"scoring": Scoring(**collected.scoring)})
        self.problems.file = root
        pack = self._assemble(head, rules, collected.lexicons)
        pack.targets = collected.targets
        return pack

    def _collect(self, text: str, file: str, chain: tuple[str, ...]) -> _Collected | None:
        """A pack's rule sources, lexicons and scoring, with what it extends applied."""
        self.problems.file = file
        doc = read_yaml(text, self.problems)
        if doc is None:
            return None
        try:
            head = PackHead.model_validate(plain(doc))
        except ValidationError as exc:
            report_errors(self.problems, exc, doc)
            return None
        parent: _Collected | None = None
        if head.extends:
            parent = self._parent(head.extends, doc, file, chain)
            self.problems.file = file
            if parent is None:
                return None
        elif not head.rules:
            self.problems.add(line_of(doc, "rules", 1), "no_rules", "the pack has no rules")
        lexicons = dict(parent.lexicons) if parent else {}
        lexicons.update(read_lexicons(doc, self.problems))
        scoring = dict(parent.scoring) if parent else {}
        scoring.update(plain(doc.get("scoring") or {}))
        sources = list(parent.sources) if parent else []
        if head.disable or head.override:
            if parent is None:
                key = "disable" if head.disable else "override"
                self.problems.add(
                    line_of(doc, key, 1),
                    "needs_extends",
                    f"{key}: needs extends: (a pack to inherit from)",
                )
            else:
                sources = self._amend(doc, file, sources)
        rule_nodes = doc.get("rules") or []
        for i, node in enumerate(rule_nodes):
            line = line_of(rule_nodes, i, 1)
            if not hasattr(node, "items"):
                self.problems.add(
                    line, "not_mapping", "a rule is a mapping with keys id, title, check, …"
                )
                continue
            sources.append(RuleSource(node, file, line, file))
        targets = parent.targets if parent else None
        if head.targets is not None:
            try:
                targets = parse_targets(head.targets, "targets")
            except TargetsError as exc:
                self.problems.add(line_of(doc, "targets", 1), "bad_targets", str(exc))
        return _Collected(head, sources, lexicons, scoring, targets)

    def _parent(self, spec: str, doc: Any, file: str, chain: tuple[str, ...]) -> _Collected | None:
        line = line_of(doc, "extends", 1)
        here = Path(file).parent
        candidate = here / spec
        try:
            path = candidate if candidate.exists() else resolve_pack(spec)
        except FileNotFoundError as exc:
            self.problems.add(line, "bad_extends", f"extends: {exc}")
            return None
        shown = str(path) if path == candidate else f"rules/{path.name}"
        key = str(path.resolve())
        if key in chain:
            self.problems.add(
                line, "bad_extends", f"extends: {spec!r} extends this pack again (a cycle)"
            )
            return None
        why = too_big(path)
        if why:
            self.problems.add(line, "too_large", f"extends: {shown}: {why}")
            return None
        return self._collect(path.read_text(encoding="utf-8-sig"), shown, (*chain, key))

    def _amend(self, doc: Any, file: str, sources: list[RuleSource]) -> list[RuleSource]:
        """Apply a child pack's disable: and override: to the rules it inherits."""
        from ruamel.yaml.comments import CommentedMap

        by_id = {str(s.node.get("id")): s for s in sources if hasattr(s.node, "get")}
        disabled: set[str] = set()
        disable = doc.get("disable") or []
        for i, rule_id in enumerate(disable):
            if str(rule_id) not in by_id:
                self.problems.add(
                    line_of(disable, i, 1),
                    "unknown_rule",
                    f"disable: no inherited rule {rule_id!r}",
                )
            disabled.add(str(rule_id))
        overrides = doc.get("override") or {}
        replaced: dict[str, RuleSource] = {}
        for rule_id, changes in overrides.items():
            line = line_of(overrides, rule_id, 1)
            if str(rule_id) not in by_id:
                self.problems.add(line, "unknown_rule", f"override: no inherited rule {rule_id!r}")
                continue
            if not hasattr(changes, "items"):
                self.problems.add(
                    line,
                    "bad_override",
                    f"override {rule_id}: give a mapping of the keys to change",
                )
                continue
            fixed = [k for k in changes if k in ("id", "check")]
            if fixed:
                self.problems.add(
                    line, "bad_override", f"override {rule_id}: {fixed[0]} cannot be overridden"
                )
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
            replaced[str(rule_id)] = RuleSource(merged, file, line, examples_file)
        return [
            replaced.get(str(s.node.get("id")), s)
            for s in sources
            if str(s.node.get("id")) not in disabled
        ]

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
            path=self.problems.file,
            sha256="",
            matcher=Matcher(phrases, words),
        )
