"""Opening, saving and autosaving the document through `render_core.project` (Qt-free; the
open functions run on the I/O pool, save/autosave on the GUI thread: they are small JSON writes).

A clip opened on its own becomes an unsaved project (no folder) whose autosave lives in the
user cache under the clip's content hash, so a crash before the first save is recoverable too.
An image-set project (a capture, no clip: `studio.image_set`) opens with its camera path as
the frames; its document (`project.json`, the same format as a clip project's) and autosave
live in its own folder, beside the captures.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from render_core.errors import InputError
from render_core.media.clip_info import ClipInfo
from render_core.paths import tracks_cache_dir, user_cache_dir
from render_core.project.autosave import discard_autosave as remove_autosave
from render_core.project.autosave import find_recovery, load_recovery, write_autosave
from render_core.project.clip_check import damage_note
from render_core.project.document import PROJECT_SUFFIX, ClipRef, Project
from render_core.project.io import load_project, project_file, save_project

VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v")


@dataclass(frozen=True)
class OpenedDocument:
    """The result of an open job. project_path: the project folder, None for a bare clip.
    recovery: an autosave newer than the document, to offer to the user. damage: one line when
    the target clip is damaged or truncated (fewer frames decode than it declares)."""

    project: Project
    project_path: Path | None
    clip_path: str
    info: ClipInfo
    recovery: Path | None
    damage: str | None = None
    image_set: Any = None  # studio.image_set.ImageSet; then clip_path and project_path are its folder


def is_project_path(path: str | Path) -> bool:
    p = Path(path)
    return (
        p.suffix == PROJECT_SUFFIX
        or p.name == "project.json"
        or (p.is_dir() and (p / "project.json").exists())
    )


def unsaved_autosave_folder(info: ClipInfo) -> Path:
    """Where the autosave of a not-yet-saved project of this clip goes."""
    return user_cache_dir() / "unsaved" / f"{info.content_hash[:16]}{PROJECT_SUFFIX}"


def autosave_folder(project_path: Path | None, info: ClipInfo) -> Path:
    return project_path if project_path is not None else unsaved_autosave_folder(info)


def open_document(path: str | Path) -> OpenedDocument:
    """A project folder/document, an image-set project (or its capture.json) or a video clip ->
    the document to show (I/O; any thread)."""
    from studio.image_set import image_set_folder, load_image_set

    p = Path(path)
    if not p.exists():
        raise InputError(p, "no such file or folder")
    if (folder := image_set_folder(p)) is not None:  # before .rfproj: capture writes such folders
        project, info, image_set = load_image_set(folder)
        return OpenedDocument(project, folder, str(folder), info, find_recovery(folder), None, image_set)
    if is_project_path(p):
        return _open_project(p)
    if p.suffix.lower() not in VIDEO_SUFFIXES:
        raise InputError(p, f"not a video clip or project (expected {', '.join(VIDEO_SUFFIXES)} or .rfproj)")
    return _open_clip(p)


def _open_clip(clip: Path) -> OpenedDocument:
    from render_core.media.probe import probe

    info = probe(clip)
    project = Project(name=clip.stem).with_clip(
        ClipRef("clip1", str(clip.resolve()), info.content_hash, info)
    )
    recovery = find_recovery(unsaved_autosave_folder(info))
    return OpenedDocument(project, None, str(clip.resolve()), info, recovery, damage_note(info))


def _open_project(path: Path) -> OpenedDocument:
    from render_core.media.probe import probe

    project = load_project(path)
    folder = project_file(path).parent
    clip_path = project.clip_path(project.target().id)
    info = project.target().info or probe(clip_path)
    damage = damage_note(info) if Path(clip_path).exists() else None
    return OpenedDocument(project, folder, str(clip_path), info, find_recovery(folder), damage)


def recovered(doc: OpenedDocument) -> OpenedDocument:
    """The same document with the autosaved content instead (the user accepted recovery)."""
    folder = autosave_folder(doc.project_path, doc.info)
    project = load_recovery(folder)
    if doc.image_set is not None:  # the autosave may follow another path: its frames are others
        from studio.image_set import open_image_set

        project, info, image_set = open_image_set(doc.image_set.folder, project)
        return OpenedDocument(project, doc.project_path, doc.clip_path, info, None, None, image_set)
    if doc.project_path is None:
        project = replace(project, folder=None)
    return OpenedDocument(project, doc.project_path, doc.clip_path, doc.info, None, doc.damage)


def save_document(project: Project, folder: Path, image_set: bool = False) -> Project:
    """Save to `folder` (suffix .rfproj added to a clip project's), rebasing clip paths; returns
    the saved project. An image set's document goes into its own folder, whatever its name."""
    if folder.suffix != PROJECT_SUFFIX and not image_set:
        folder = folder.with_name(folder.name + PROJECT_SUFFIX)
    return save_project(project, folder)


def carry_tracks(project: Project) -> list[Path]:
    """Copy the cached tracks of the project's clips from the user cache into the project's
    own cache (a clip tracked before its first save is not tracked again on reopening).
    Returns the files copied."""
    src, dst = tracks_cache_dir(None), tracks_cache_dir(project.folder)
    copied = []
    for clip in project.clips:
        for f in sorted(src.glob(f"{clip.content_hash}-*.npz")) if clip.content_hash else []:
            if not (dst / f.name).exists():
                dst.mkdir(parents=True, exist_ok=True)
                tmp = dst / f"{f.name}.part"
                shutil.copyfile(f, tmp)
                os.replace(tmp, dst / f.name)
                copied.append(dst / f.name)
    return copied


def discard_autosave(project_path: Path | None, info: ClipInfo) -> None:
    remove_autosave(autosave_folder(project_path, info))


def autosave(project: Project, project_path: Path | None, info: ClipInfo) -> Path:
    return write_autosave(project, autosave_folder(project_path, info))
