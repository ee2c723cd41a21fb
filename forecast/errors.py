"""Project exceptions. Every message names what the user must change."""

from __future__ import annotations

from dataclasses import dataclass


class ForecastError(Exception):
    """Base class: an error the CLI reports in one clear message and exits non-zero on."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located by file, line (1-based, header = 1) and column."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return f"{where}: {self.message}"


class DataValidationError(ForecastError):
    """Raised with every problem found, not only the first."""

    def __init__(self, problems: list[Problem], context: str = "invalid data"):
        self.problems = list(problems)
        lines = [f"{context}: {len(self.problems)} problem(s)"]
        lines += [f"  {p}" for p in self.problems[:200]]
        if len(self.problems) > 200:
            lines.append(f"  ... and {len(self.problems) - 200} more")
        super().__init__("\n".join(lines))


class FitMismatchError(ForecastError):
    """A saved fit does not match the data, config or package version it is used with."""
