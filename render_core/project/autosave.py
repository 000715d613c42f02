"""Autosave beside the document (`project.autosave.json`) and recovery after a crash.

The studio autosaves the open (possibly unsaved) document every so often; a normal save
removes the autosave. On open, `find_recovery` reports an autosave that is newer than the
document, i.e. work that a crash would otherwise have lost.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from render_core.io_atomic import write_text_atomic
from render_core.project.document import Project
from render_core.project.io import autosave_path, dumps, parse_project, project_file, read_document

__all__ = ["autosave_path", "discard_autosave", "find_recovery", "load_recovery", "write_autosave"]


def write_autosave(project: Project, path: str | Path) -> Path:
    """Atomically write the autosave of the project whose document is at `path`."""
    target = autosave_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, dumps(project))
    return target


def find_recovery(path: str | Path) -> Path | None:
    """The autosave if it exists and is newer than the document (or the document is gone)."""
    auto, doc = autosave_path(path), project_file(path)
    if not auto.exists():
        return None
    if not doc.exists() or auto.stat().st_mtime_ns > doc.stat().st_mtime_ns:
        return auto
    return None


def load_recovery(path: str | Path) -> Project:
    """The autosaved project, with the project folder (not the autosave file) as its folder."""
    auto = autosave_path(path)
    return parse_project(read_document(auto), auto)


def discard_autosave(path: str | Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        autosave_path(path).unlink()
