"""Atomic file writes: write `<name>.part`, fsync, `os.replace`. A crash or cancel never leaves
a half-written file under the final name, and the previous version survives until the swap."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from render_core.errors import InputError, file_system_error


def part_path(path: str | Path) -> Path:
    """The temporary name a file is written under before it is renamed into place."""
    p = Path(path)
    return p.with_name(p.name + ".part")


def existing_ancestor(path: Path) -> Path:
    """The nearest of `path`'s parents that exists (what a `mkdir -p` would start from)."""
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


def check_writable(path: str | Path, folder: bool = False) -> None:
    """InputError naming `path` unless a file (`folder`: a folder) can be written there.

    Asked before a long job starts, so a read-only mount, a parent that is a file or an output
    that is an existing folder stops it at once instead of at the final rename. Nothing is left
    behind: missing folders are not made here, and the probe file is removed.
    """
    p = Path(path).expanduser()
    if not folder and p.is_dir():
        raise InputError(p, "is an existing folder; give a file name")
    if folder and p.exists() and not p.is_dir():
        raise InputError(p, "is an existing file; this output is a folder")
    base = existing_ancestor(p)
    if not base.is_dir():
        raise InputError(p, f"cannot write: {base} is a file, not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=base)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise (file_system_error(exc, p) or exc) from None


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on error it is removed.

    The temporary keeps the final suffix last (`clip.part.mp4`) so tools that pick a format
    from the extension still work.
    """
    final = Path(path)
    tmp = final.with_name(f"{final.stem}.part{final.suffix}")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise (file_system_error(exc, final) or exc) from None
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))
