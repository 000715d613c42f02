"""AppState: the open document and what the user is looking at, as a Qt model (napari style).

Widgets read it and subscribe to its signals; they never change it directly: document changes
go through `studio.commands` on `undo_stack`, view changes (frame, selection, tracks arriving)
through the setters here. Only the GUI thread calls any of this. Jobs get a `snapshot()`:
immutable values they may read from any thread.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from render_core.edits.timeline import EditTimeline
from render_core.media.clip_info import ClipInfo
from render_core.tracking.tracks import Tracks


@dataclass(frozen=True)
class Snapshot:
    """What a background job may read: every field is immutable or never mutated after load."""

    clip_path: str
    info: ClipInfo
    timeline: EditTimeline
    tracks: Tracks | None
    renderer: str
    project: Any  # render_core Project with this timeline and renderer folded in
    image_set: Any = None  # studio.image_set.ImageSet of an image-set project (no clip)


class AppState(QObject):
    clip_changed = Signal()  # a new clip/project was opened (everything else changed too)
    timeline_changed = Signal()
    tracks_changed = Signal()
    frame_changed = Signal(int)
    selection_changed = Signal(object)  # layer id or None
    dirty_changed = Signal(bool)
    renderer_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.clip_path: str | None = None
        self.info: ClipInfo | None = None
        self.project: Any = None  # render_core.project.Project of the open document
        self.project_path: Path | None = None
        self.timeline = EditTimeline()
        self.tracks: Tracks | None = None
        self.frame = 0
        self.selected_layer_id: str | None = None
        self.renderer = "warp"
        self.image_set: Any = None  # studio.image_set.ImageSet when the document is an image set

    def _clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean)

    # -- document ------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.info is not None

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def frame_count(self) -> int:
        return self.info.frame_count if self.info else 0

    @property
    def fps(self) -> float:
        return float(self.info.fps) if self.info else 30.0

    def load(
        self,
        clip_path: str,
        info: ClipInfo,
        project: Any,
        project_path: Path | None,
        timeline: EditTimeline,
        renderer: str = "warp",
        image_set: Any = None,
    ) -> None:
        """Replace the whole document (open). Clears undo history and tracks. An image set's
        `info` describes its camera path's frames and `clip_path` is its folder."""
        self.clip_path, self.info, self.image_set = str(clip_path), info, image_set
        self.project, self.project_path = project, project_path
        self.timeline, self.tracks, self.renderer = timeline, None, renderer
        self.frame = 0
        self.selected_layer_id = timeline.layers[-1].id if timeline.layers else None
        self.undo_stack.clear()
        self.clip_changed.emit()
        self.timeline_changed.emit()
        self.tracks_changed.emit()
        self.frame_changed.emit(0)
        self.selection_changed.emit(self.selected_layer_id)
        self.dirty_changed.emit(False)

    def set_timeline(self, timeline: EditTimeline) -> None:
        """Called by undo commands only. A selection of a layer that is gone is dropped first."""
        self.timeline = timeline
        if self.selected_layer_id not in {ly.id for ly in timeline.layers}:
            self.selected_layer_id = None
            self.selection_changed.emit(None)
        self.timeline_changed.emit()

    def mark_saved(self, project: Any, project_path: Path) -> None:
        self.project, self.project_path = project, project_path
        self.undo_stack.setClean()

    # -- view state ----------------------------------------------------------------------
    def set_tracks(self, tracks: Tracks | None) -> None:
        self.tracks = tracks
        self.tracks_changed.emit()

    def set_frame(self, frame: int) -> None:
        if not self.is_open:
            return
        frame = max(0, min(int(frame), self.frame_count - 1))
        if frame != self.frame:
            self.frame = frame
            self.frame_changed.emit(frame)

    def select_layer(self, layer_id: str | None) -> None:
        if layer_id is not None and layer_id not in {ly.id for ly in self.timeline.layers}:
            layer_id = None
        if layer_id != self.selected_layer_id:
            self.selected_layer_id = layer_id
            self.selection_changed.emit(layer_id)

    def set_renderer(self, name: str) -> None:
        if name != self.renderer:
            self.renderer = name
            self.renderer_changed.emit(name)

    @property
    def selected_layer(self):
        if self.selected_layer_id is None:
            return None
        return self.timeline.layer(self.selected_layer_id)

    def snapshot(self) -> Snapshot:
        assert self.info is not None and self.clip_path is not None
        return Snapshot(
            self.clip_path,
            self.info,
            self.timeline,
            self.tracks,
            self.renderer,
            self.document(),
            self.image_set,
        )

    def document(self) -> Any:
        """The project as it is now: the state's timeline and renderer folded in."""
        if self.project is None:
            return None
        return replace(self.project, timeline=self.timeline, renderer=self.renderer)

    def set_project(self, project: Any) -> None:
        """Called by undo commands that change project-level data (e.g. its model list)."""
        self.project = project

    def set_path_frames(self, project: Any, info: ClipInfo, image_set: Any, timeline: EditTimeline) -> None:
        """Called by the undo command that switches an image set's camera path: its document,
        frames and timeline change together and every view hears of it as on opening (the
        playhead stays, clamped to the new length)."""
        self.project, self.info, self.image_set, self.timeline = project, info, image_set, timeline
        self.frame = max(0, min(self.frame, info.frame_count - 1))
        self.clip_changed.emit()
        self.timeline_changed.emit()
        self.frame_changed.emit(self.frame)
