"""Problems found while loading a pack: every one is collected before any is reported,
each as `file:line: message`, and a `PackError` carries them all."""

from __future__ import annotations

from dataclasses import dataclass


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


class Problems:
    """The problems of one pack being loaded, reported against `file`: the file being
    read at the moment (a pack it extends, or the file a rule or its examples came
    from), which the loader moves as it goes."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[PackProblem] = []

    def add(self, line: int, message: str) -> None:
        """Report `message` at `line` of the current file."""
        self.found.append(PackProblem(self.file, line, message))

    def about(self, rule_id: str) -> bool:
        """Whether a problem has been reported for rule `rule_id` (so it is not built)."""
        prefix = f"rule {rule_id}: "
        return any(p.message.startswith(prefix) for p in self.found)

    def sorted(self) -> list[PackProblem]:
        """The problems found, each once, by line."""
        return sorted(set(self.found), key=lambda p: (p.line, p.message))
