"""A small inset in the viewer's corner with the driving clip's frame that drives the current
frame (reenact_face / transfer_body layers), synchronized with the playhead. Frames are
decoded off the GUI thread through its own latest-wins queue."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from render_core.edits.settings import ReenactSettings, TransferSettings
from render_core.errors import InputError
from studio.frame_source import FrameSource, downscale
from studio.jobs import JobRunner
from studio.preview import PreviewResult, PreviewWorker
from studio.state import AppState

INSET_HEIGHT = 160
SETTINGS = {"reenact_face": ReenactSettings, "transfer_body": TransferSettings}


@dataclass(frozen=True)
class DrivingRequest:
    clip_path: str


def driving_at(state: AppState) -> tuple[str, int] | None:
    """(driving clip path, driving frame) for the playhead, from the topmost driving layer."""
    t = state.frame
    for layer in reversed(state.timeline.active_layers(t) if state.is_open else []):
        if layer.kind in SETTINGS and layer.settings.get("driving_clip"):
            s = SETTINGS[layer.kind].from_json(layer.settings)
            try:
                path = state.project.clip_path(s.driving_clip)
                info = state.project.clip(s.driving_clip).info
            except InputError:  # the clip id is not in the project (yet): nothing to show
                return None
            rate = float(info.fps) / state.fps if info is not None and info.fps else 1.0  # by time
            return str(path), max(0, s.driving_frame(t, layer.start, rate))
    return None


class DrivingInset(QLabel):
    def __init__(self, state: AppState, runner: JobRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.state = state
        self.frames = FrameSource()
        self.worker = PreviewWorker(runner, self._read, self)
        self.worker.ready.connect(self._show)
        self.setStyleSheet("border: 2px solid #ffb74d; background: #111;")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hide()
        self.shown_frame: int | None = None
        for sig in (state.frame_changed, state.timeline_changed, state.clip_changed):
            sig.connect(self.refresh)

    def _read(self, request: DrivingRequest, frame: int, _scale: float):
        last = self.frames.length(request.clip_path) - 1
        image = self.frames.read(request.clip_path, min(frame, last))
        return downscale(image, min(1.0, INSET_HEIGHT / image.shape[0])), None

    def refresh(self, *_args) -> None:
        where = driving_at(self.state)
        if where is None:
            self.hide()
            return
        self.worker.request(DrivingRequest(where[0]), where[1])

    def _show(self, result: PreviewResult) -> None:
        self.setPixmap(QPixmap.fromImage(result.original))
        self.shown_frame = result.frame
        self.adjustSize()
        parent = self.parentWidget()
        self.move(parent.width() - self.width() - 12, 12)
        self.show()
        self.raise_()

    def close_source(self) -> None:
        self.frames.close()
