"""Problems found in a scenario, each tied to a file, a line and a dotted field path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, said so a user can find and fix it."""

    message: str
    path: tuple[str | int, ...] = ()
    source: str | None = None  # a file path, or "--set"
    line: int | None = None

    @property
    def dotted_path(self) -> str:
        return ".".join(str(p) for p in self.path)

    def __str__(self) -> str:
        where = self.source or "<scenario>"
        if self.line is not None:
            where += f", line {self.line}"
        field = f" {self.dotted_path}:" if self.path else ""
        return printable(f"{where}:{field} {self.message}")


def printable(text: str) -> str:
    """`text` with control and other unprintable characters escaped (a key holding a line
    separator would otherwise split one problem over several lines of the terminal)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


class ScenarioError(Exception):
    """A scenario that cannot be run; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
