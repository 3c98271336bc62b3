"""Reading a pack's YAML safely: a pack is data from whoever wrote it, and reading it
must neither run code nor take unbounded time or memory.

The round-trip loader keeps the line of every key (for `file:line:` problems) and
builds only plain containers and scalars; every tag but plain data's is refused.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from cs_qa.packs.problems import Problems

MAX_PACK_BYTES = 5_000_000  # one pack file
MAX_PACK_VALUES = 1_000_000  # YAML values, with every alias (*name) counted in full
MAX_PACK_DEPTH = 100  # levels of nested mappings and lists
_BRACKETS = re.compile(r"[\[\]{}]")
# The only YAML tags a pack may use (implicitly or written out): plain data.
PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")
) | {"tag:yaml.org,2002:timestamp"}


def too_big(path: Path) -> str | None:
    """Why a pack file is too large to load, or None (checked before it is read)."""
    size = path.stat().st_size
    if size <= MAX_PACK_BYTES:
        return None
    return f"the pack file is {size:,} bytes, more than {MAX_PACK_BYTES:,}; split it into packs"


def read_yaml(text: str, problems: Problems) -> Any:
    """A pack's text as a ruamel document (a mapping), or None after reporting why it
    cannot be read safely: too large, nested too deeply, not YAML, a tag that is not
    plain data, too many values with its aliases expanded, or not a mapping."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if len(text) > MAX_PACK_BYTES or len(text.encode("utf-8")) > MAX_PACK_BYTES:
        problems.add(
            1, "too_large", f"the pack is more than {MAX_PACK_BYTES:,} bytes; split it into packs"
        )
        return None
    if _flow_depth(text) > MAX_PACK_DEPTH:
        # before parsing: ruamel's scanner takes quadratic time in flow nesting
        problems.add(1, "too_deep", f"YAML: nested more than {MAX_PACK_DEPTH} levels deep")
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
        problems.add(line, "yaml", f"YAML: {exc.problem or exc.context}")
        return None
    except YAMLError as exc:
        problems.add(1, "yaml", f"YAML: {exc}")
        return None
    except RecursionError:
        problems.add(1, "too_deep", f"YAML: nested more than {MAX_PACK_DEPTH} levels deep")
        return None
    refused = yaml.constructor.refused
    for line, message in refused:
        problems.add(line, "yaml_tag", message)
    if refused:
        return None
    values, depth = _measure(doc)
    if values > MAX_PACK_VALUES:
        problems.add(
            1,
            "too_large",
            f"the pack has {values:,} values when its aliases (*name) are expanded, "
            f"more than {MAX_PACK_VALUES:,}",
        )
        return None
    if depth > MAX_PACK_DEPTH:
        problems.add(1, "too_deep", f"YAML: nested more than {MAX_PACK_DEPTH} levels deep")
        return None
    if not hasattr(doc, "items"):
        problems.add(
            1, "not_mapping", "a rule pack is a YAML mapping with keys pack, version, title, rules"
        )
        return None
    return doc


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


def line_of(node: Any, key: Any = None, default: int = 0) -> int:
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


def plain(node: Any) -> Any:
    """ruamel's commented containers as plain dicts, lists and strings."""
    if hasattr(node, "items"):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node
