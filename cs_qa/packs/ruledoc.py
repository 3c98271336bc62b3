"""Documentation of check types, derived from their parameter models."""

from __future__ import annotations

from typing import Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from cs_qa.checks import PHRASE_STEPS, PHRASES


def describe_params(model: type[BaseModel]) -> str:
    """One line per parameter: name, type, default (phrase lists accept @lexicon)."""
    lines = []
    for name, field in model.model_fields.items():
        if PHRASES in field.metadata:
            kind = "phrases (@lexicon ok)"
        elif PHRASE_STEPS in field.metadata:
            kind = "steps: a list of phrase lists, in order (@lexicon ok)"
        else:
            kind = _type_name(field.annotation)
        if field.default is PydanticUndefined and field.default_factory is None:
            lines.append(f"{name}: {kind} (required)")
        else:
            default = field.get_default(call_default_factory=True)
            if isinstance(default, BaseModel):
                default = {k: v for k, v in default.model_dump().items() if v is not None}
            lines.append(f"{name}: {kind} = {default!r}")
    return "\n".join(lines)


def _type_name(annotation: object) -> str:
    if get_origin(annotation) is Literal:
        return "|".join(str(a) for a in get_args(annotation))
    text = getattr(annotation, "__name__", None) or str(annotation)
    return text.replace("typing.", "")
