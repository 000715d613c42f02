"""Errors a user can act on.

An `InputError` names the file and the problem in one line; the CLI prints it and exits 2,
the studio shows it in a message bar. Anything else is a bug (exit 1).
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad user input: a missing or unreadable file, a malformed value, an unusable clip."""

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem
