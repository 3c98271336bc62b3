"""Check types: the registry of rule types.

A check type is one module in this package with one function registered by
`@register(name, Params, labels=LABELS)`. `Params` is a pydantic model of the rule's own
parameters (unknown keys are errors); the function takes a `PreparedConversation` and a
`RuleView[Params]` (what a check sees of its rule: id, speaker, typed parameters, phrase
sets) and returns the offending turns as `Hit`s, or `None` when the rule cannot apply to
this conversation (status `na`). The function's docstring is the check's documentation.
`LABELS` are the texts of its findings' explanations (`explain(code, ...)`) in every
report language, declared next to the function that uses them.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cs_qa.core.model import Explanation
from cs_qa.core.scope import ScopeName
from cs_qa.core.windows import Anchor, Span, WindowSpec, select

if TYPE_CHECKING:
    from cs_qa.core.matching import PhraseSet, PreparedConversation
    from cs_qa.core.model import Hit

# Explanation labels of a check: code -> language -> text with {value} fields.
Labels = Mapping[str, Mapping[str, str]]
# The languages reports are written in (cs_qa.reports.i18n): every label is in each.
LANGUAGES: tuple[str, ...] = ("zh", "en")


class PhraseListMarker:
    """Marks a parameter as a phrase list: `@name` items expand to the pack's lexicon
    `name`, and every phrase is normalised and compiled into the pack's matcher."""


class PhraseStepsMarker:
    """Marks a parameter as a list of phrase lists (steps of a script, in order); each
    step is expanded and compiled like a phrase list and reachable as `name.N`."""


# Scopes in which a phrase hit does not count (cs_qa.core.scope): `skip: [negated, conditional,
# question]` on any phrase-based rule. 不能保证 is not a promise, 如不能使用 not a refusal,
# 主机也不行吗 (the customer's words asked back) neither.
Scope = ScopeName

PHRASES = PhraseListMarker()
PhraseList = Annotated[list[str], PHRASES]
PHRASE_STEPS = PhraseStepsMarker()
PhraseSteps = Annotated[list[list[str]], PHRASE_STEPS]


class CheckParams(BaseModel):
    """Base of every check's parameter model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


P = TypeVar("P", bound=CheckParams, covariant=True)
ParamsT = TypeVar("ParamsT", bound=CheckParams)


@dataclass(frozen=True, slots=True)
class RuleView(Generic[P]):
    """What a check sees of its rule, built once when the pack is loaded: the rule's id
    and speaker, its parameters as the check's own model (`rule.params.window` is typed),
    and its phrase-list parameters, lexicon references expanded, as written (`lists`)
    and as compiled (`sets`, by parameter name, `steps.N` for a script's steps, and
    `exceptions` on their own)."""

    id: str
    speaker: str
    params: P
    lists: Mapping[str, list[str]]
    sets: Mapping[str, PhraseSet]

    def phrases(self, name: str) -> PhraseSet:
        """The compiled phrase set of parameter `name`."""
        return self.sets[name]


CheckFunction = Callable[["PreparedConversation", RuleView[Any]], "list[Hit] | None"]


class Window(BaseModel):
    """Which turns of the rule's speaker a check looks at. Exactly one key:
    `agent_turns: N` (the first N), `last_agent_turns: N` (the last N),
    `seconds: N` (turns that start within N seconds of the conversation start) or
    `all_turns: true` (every turn of the speaker: said at any point)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agent_turns: int | None = Field(default=None, ge=1)
    last_agent_turns: int | None = Field(default=None, ge=1)
    seconds: float | None = Field(default=None, gt=0)
    all_turns: bool = False

    @model_validator(mode="after")
    def _exactly_one(self) -> Window:
        keys = ("agent_turns", "last_agent_turns", "seconds", "all_turns")
        given = [k for k in keys if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of agent_turns, last_agent_turns, seconds, all_turns"
            )
        return self

    def select(self, conv: PreparedConversation, speaker: str) -> list[int] | None:
        """Indexes of the speaker's turns in the window; None when the window is timed
        and the conversation has no timestamps (the rule is then `na`). The turns are
        chosen by the one window model of cs_qa.core.windows."""
        return select(conv, speaker, self.spec)

    @property
    def spec(self) -> WindowSpec | None:
        """This window in the shared model (None: every turn)."""
        return _spec(self)


@lru_cache(maxsize=256)
def _spec(window: Window) -> WindowSpec | None:
    # once per distinct window: every rule asks for it on every conversation
    if window.agent_turns:
        return WindowSpec(from_start=Span(turns=window.agent_turns))
    if window.last_agent_turns:
        return WindowSpec(from_end=Span(turns=window.last_agent_turns))
    if window.seconds:
        return WindowSpec(from_start=Span(seconds=window.seconds))
    return None


@lru_cache(maxsize=64)
def _after(n: int) -> WindowSpec:
    return WindowSpec(after=Span(turns=n))


def next_turns(conv: PreparedConversation, speaker: str, after: int, n: int) -> list[int]:
    """The speaker's next `n` turns after turn `after` (the replies a trigger asks for)."""
    return select(conv, speaker, _after(n), Anchor(after)) or []


@dataclass(frozen=True, slots=True)
class CheckType:
    name: str
    params: type[CheckParams]
    run: CheckFunction
    flag_only: bool = False  # the rule must be `flag: true` (marks for review, no deduction)
    # its explanations, by code and language
    labels: Labels = field(default_factory=dict, hash=False, compare=False)

    @property
    def doc(self) -> str:
        """The check function's docstring, each paragraph on one line."""
        text = inspect.cleandoc(self.run.__doc__ or "")
        return "\n\n".join(" ".join(p.split("\n")) for p in text.split("\n\n"))


REGISTRY: dict[str, CheckType] = {}
# Every registered explanation label by code (codes are unique across checks).
DETAIL_LABELS: dict[str, Mapping[str, str]] = {}


def explain(code: str, **values: object) -> Explanation:
    """A finding's explanation as `Hit` keywords: `detail` in English from the label
    `code` the check registered, with the code and values kept so that reports can say it
    in another language: `Hit(i, matched, **explain("silence", gap=14, limit=10))`."""
    detail = DETAIL_LABELS[code]["en"].format(**values)
    return Explanation(detail=detail, code=code, args=values)


def detail_label(code: str) -> Mapping[str, str] | None:
    """The explanation label `code` in every language, or None for a code no check
    registers (a dataset written by another version)."""
    _load_all()
    return DETAIL_LABELS.get(code)


def seconds(value: float) -> str:
    """A measured duration as a finding's `matched` text: 45s, 30.5s."""
    return f"{value:.1f}".removesuffix(".0") + "s"


def register(
    name: str, params: type[ParamsT], *, flag_only: bool = False, labels: Labels | None = None
) -> Callable[
    [Callable[[PreparedConversation, RuleView[ParamsT]], list[Hit] | None]],
    Callable[[PreparedConversation, RuleView[ParamsT]], list[Hit] | None],
]:
    """Register a check function under `name` with its explanation `labels`; a second
    registration, a code another check has, or a label missing a language is an error."""
    own = dict(labels or {})
    for code, texts in own.items():
        missing = [lang for lang in LANGUAGES if not texts.get(lang)]
        if missing:
            raise ValueError(f"check {name!r}: label {code!r} has no {', '.join(missing)} text")

    def decorate(
        fn: Callable[[PreparedConversation, RuleView[ParamsT]], list[Hit] | None],
    ) -> Callable[[PreparedConversation, RuleView[ParamsT]], list[Hit] | None]:
        if name in REGISTRY:
            raise ValueError(f"check type {name!r} is registered twice")
        taken = [code for code in own if code in DETAIL_LABELS]
        if taken:
            raise ValueError(f"check {name!r}: label {taken[0]!r} belongs to another check")
        REGISTRY[name] = CheckType(name, params, fn, flag_only, own)
        DETAIL_LABELS.update(own)
        return fn

    return decorate


_loaded = False


def _load_all() -> None:
    # A flag, not "registry empty": importing one check module directly must not stop
    # the others from loading.
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True


def get(name: str) -> CheckType | None:
    _load_all()
    return REGISTRY.get(name)


def all_checks() -> dict[str, CheckType]:
    _load_all()
    return dict(sorted(REGISTRY.items()))
