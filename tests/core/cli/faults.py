"""File-system faults injected into the process (a read-only mount, a full disk) without root
tricks: tests run as root in CI, where permission bits do not stop a write."""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path

import pytest

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT


def _under(path, root: Path) -> bool:
    try:
        return Path(os.fsdecode(path)).resolve().is_relative_to(root.resolve())
    except (TypeError, ValueError):
        return False


def fail_writes(monkeypatch: pytest.MonkeyPatch, root: Path, code: int, room_for_empty: bool = False) -> None:
    """Every file created or written under `root` fails with `OSError(code)`, as on a read-only
    mount (EROFS) or a full disk (ENOSPC). `room_for_empty`: folders and empty files can still
    be made, only writing content fails (a full disk has inodes left, not blocks)."""

    def refuse(path) -> OSError:
        return OSError(code, os.strerror(code), os.fsdecode(path))

    real_os_open, real_io_open, real_mkdir = os.open, io.open, os.mkdir

    def os_open(path, flags, *args, **kwargs):
        if flags & _WRITE_FLAGS and _under(path, root):
            raise refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    def io_open(file, mode="r", *args, **kwargs):
        if isinstance(file, str | bytes | os.PathLike) and set(mode) & set("wax+") and _under(file, root):
            raise refuse(file)
        return real_io_open(file, mode, *args, **kwargs)

    def os_mkdir(path, *args, **kwargs):
        if _under(path, root) and not Path(path).exists():
            raise refuse(path)
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(io, "open", io_open)
    monkeypatch.setattr(builtins, "open", io_open)
    if not room_for_empty:
        monkeypatch.setattr(os, "open", os_open)
        monkeypatch.setattr(os, "mkdir", os_mkdir)


READ_ONLY, DISK_FULL = errno.EROFS, errno.ENOSPC
