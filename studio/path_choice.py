"""Choosing an image set's camera path as an undoable document change: the document's
`camera_path` and the frames it gives (the camera list, frame count, timeline length) swap
together on redo/undo, the way reopening the saved document would show them. Keys stay on their
frame numbers; keys past the new path's end stay in the document and are counted for the user.

Also where an imported nerfstudio camera_path file goes: a file outside the project folder is
copied into `<folder>/camera_paths/`, so the saved document names it by a relative path and
stays portable."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

from PySide6.QtGui import QUndoCommand

from render_core.project.document import CameraPathSettings
from studio.image_set import on_path

PATH_FILES = "camera_paths"  # the project's folder of imported camera_path files

ONE_CLICK_LABELS = {
    "orbit": "Orbit 360",
    "capture": "Follow the capture",
    "smooth": "Smoothed capture",
}


def fit_whole_path_layers(timeline, old_count: int, new_count: int):
    """Layers that spanned the whole old path span the whole new one (a viewpoint move made over
    the full orbit stays over the full path); other layers keep their frames."""
    for layer in timeline.layers:
        if layer.start == 0 and layer.end == old_count - 1 and old_count != new_count:
            timeline = timeline.update_layer(layer.id, end=new_count - 1)
    return timeline


def keys_beyond(timeline, frame_count: int) -> int:
    """How many keyframes of the timeline lie at or past `frame_count` (off the path's end)."""
    return sum(1 for layer in timeline.layers for f in layer.keyframes if f >= frame_count)


class ChoosePath(QUndoCommand):
    """Switch the open image set to the path `settings` names; undo restores the previous path
    and its frames. Built before it is pushed, so a path file that cannot be read raises
    InputError (naming it) and nothing changes."""

    def __init__(self, state, settings: CameraPathSettings, label: str) -> None:
        super().__init__(f"Camera path: {label}")
        self.state = state
        self.before = (state.project, state.info, state.image_set, state.timeline)
        project = replace(state.project, camera_path=settings)
        info, image_set = on_path(state.image_set, project)
        timeline = fit_whole_path_layers(state.timeline, state.info.frame_count, info.frame_count)
        self.after = (project, info, image_set, timeline)

    def redo(self) -> None:
        self.state.set_path_frames(*self.after)

    def undo(self) -> None:
        self.state.set_path_frames(*self.before)


def one_click(state, name: str) -> CameraPathSettings:
    """The document's path settings switched to the one-click path `name` (its frame count,
    height and swing kept)."""
    current = state.image_set.settings
    return replace(current, path=name)


def place_path_file(source: Path, folder: Path) -> str:
    """The path, relative to the project folder, the document names the camera_path file
    `source` by: itself when inside the folder, else a copy in `camera_paths/` (a file already
    there with the same bytes is reused; another one of that name is kept, the copy is renamed)."""
    source, folder = source.resolve(), folder.resolve()
    if source.is_relative_to(folder):
        return source.relative_to(folder).as_posix()
    dest_dir = folder / PATH_FILES
    dest_dir.mkdir(exist_ok=True)
    data = source.read_bytes()
    dest, k = dest_dir / source.name, 2
    while dest.exists() and dest.read_bytes() != data:
        dest, k = dest_dir / f"{source.stem}-{k}{source.suffix}", k + 1
    if not dest.exists():
        part = dest.with_name(f"{dest.name}.part")
        shutil.copyfile(source, part)
        os.replace(part, dest)
    return dest.relative_to(folder).as_posix()
