"""Atomic file writes: write `<name>.part`, fsync, `os.replace`. A crash or cancel never leaves
a half-written file under the final name, and the previous version survives until the swap."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


def part_path(path: str | Path) -> Path:
    """The temporary name a file is written under before it is renamed into place."""
    p = Path(path)
    return p.with_name(p.name + ".part")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on error it is removed.

    The temporary keeps the final suffix last (`clip.part.mp4`) so tools that pick a format
    from the extension still work.
    """
    final = Path(path)
    tmp = final.with_name(f"{final.stem}.part{final.suffix}")
    final.parent.mkdir(parents=True, exist_ok=True)
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
