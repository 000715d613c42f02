"""Errors a user can act on.

An `InputError` names the file and the problem in one line; the CLI prints it and exits 2,
the studio shows it in a message bar. Anything else is a bug (exit 1).

File-system failures (a read-only mount, a full disk, a parent that is a file, an output that
is a folder) are the user's to fix, not bugs: `file_system_error` turns such an `OSError` into
an `InputError` naming the path, in one place for every command.
"""

from __future__ import annotations

import errno
from pathlib import Path

# errno -> what the user is told; every other errno stays a bug.
FILE_SYSTEM_PROBLEMS: dict[int, str] = {
    errno.EROFS: "cannot write: the file system is read-only",
    errno.ENOSPC: "cannot write: no space left on the device",
    errno.EDQUOT: "cannot write: disk quota exceeded",
    errno.EFBIG: "cannot write: the file is too large for the file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a folder in this path is a file",
    errno.EISDIR: "is a folder, not a file",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EIO: "input/output error (a failing disk or a disconnected drive)",
}


class InputError(Exception):
    """Bad user input: a missing or unreadable file, a malformed value, an unusable clip."""

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem


def file_system_error(exc: BaseException, path: str | Path | None = None) -> InputError | None:
    """The InputError a file-system `OSError` stands for, naming `path` (else the error's own
    file name), or None when `exc` is not one the user can act on (a bug)."""
    if not isinstance(exc, OSError):
        return None
    problem = FILE_SYSTEM_PROBLEMS.get(exc.errno or 0)
    if problem is None:
        return None
    named = path if path is not None else (exc.filename or None)
    return InputError(named, problem)
