"""Latest-wins preview rendering on its own one-thread pool.

Every change asks for the current frame again. At most one render runs and at most one waits:
a newer request replaces the waiting one (so playback drops frames instead of falling behind).
A finished render whose frame was asked for again since (the document changed under it) is
stale and dropped; one for a frame the playhead already left is still shown, as the freshest
image there is. Frames cross the thread boundary as QImages that own a copy of the pixels,
with what the renderer said about the frame (`render_bridge.RenderNotes`) where it says it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from studio.jobs import Job, JobRunner, Kind

if TYPE_CHECKING:
    from studio.render_bridge import RenderNotes

# (snapshot, frame_index, scale) -> (original uint8 RGB, edited uint8 RGB or None when unedited)
RenderPreview = Callable[[Any, int, float], tuple[np.ndarray, np.ndarray | None]]


def to_qimage(rgb: np.ndarray) -> QImage:
    """uint8 RGB (H, W, 3) -> a QImage owning its own copy (safe to hand to another thread)."""
    a = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = a.shape[:2]
    return QImage(a.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def rendered_notes(pipeline: Any, snapshot: Any, frame: int) -> RenderNotes | None:
    """The renderer's notes on a frame just rendered (`RenderNotes`), where the pipeline keeps
    them (the real one does; a bare render callable does not)."""
    notes_at = getattr(pipeline, "notes_at", None)
    return notes_at(snapshot, frame) if notes_at is not None else None


@dataclass(frozen=True)
class PreviewResult:
    """What the viewer shows. `edited` is None where no edit acts on the frame."""

    request_id: int
    frame: int
    original: QImage
    edited: QImage | None
    render_ms: float
    requested_at: float  # time.perf_counter() when the request was made
    notes: RenderNotes | None = None  # of an edited frame, where the pipeline keeps them


class PreviewWorker(QObject):
    """Owns the preview queue; `ready` fires on the GUI thread with a `PreviewResult`."""

    ready = Signal(object)
    failed = Signal(str, str)

    def __init__(
        self,
        runner: JobRunner,
        render: RenderPreview,
        parent: QObject | None = None,
        kind: Kind = Kind.PREVIEW,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.kind = kind
        self.render = render
        self.scale = 1.0
        self._next_id = 0
        self._running: Job | None = None
        self._pending: tuple[int, Any, int, float] | None = None
        self._latest_for_frame: dict[int, int] = {}
        self.issued = 0
        self.dropped = 0

    @property
    def busy(self) -> bool:
        return self._running is not None or self._pending is not None

    def request(self, snapshot: Any, frame: int) -> int:
        """Ask for `frame` of `snapshot` (an immutable view of the document); returns the id."""
        self._next_id += 1
        rid = self._next_id
        self.issued += 1
        self._latest_for_frame = {frame: rid}
        if self._pending is not None:
            self.dropped += 1
        self._pending = (rid, snapshot, frame, time.perf_counter())
        if self._running is None:
            self._start_pending()
        return rid

    def _start_pending(self) -> None:
        if self._pending is None:
            return
        rid, snapshot, frame, t0 = self._pending
        self._pending = None
        scale, render = self.scale, self.render

        def work(ctx) -> PreviewResult:
            ctx.check()
            start = time.perf_counter()
            original, edited = render(snapshot, frame, scale)
            ms = 1000.0 * (time.perf_counter() - start)
            notes = rendered_notes(render, snapshot, frame) if edited is not None else None
            return PreviewResult(
                rid, frame, to_qimage(original), None if edited is None else to_qimage(edited), ms, t0, notes
            )

        job = Job(work, f"preview {frame}", self.kind)
        job.signals.finished.connect(self._on_finished)
        job.signals.failed.connect(self.failed)
        job.signals.ended.connect(self._on_ended)
        self._running = job
        self.runner.start(job)

    def _on_finished(self, result: PreviewResult) -> None:
        latest = self._latest_for_frame.get(result.frame)
        if latest is not None and latest > result.request_id:
            self.dropped += 1  # the document changed while this frame rendered
            return
        self.ready.emit(result)

    def _on_ended(self) -> None:
        self._running = None
        self._start_pending()

    def cancel(self) -> None:
        """Drop the waiting request and stop the running one at its next cancellation point."""
        self._pending = None
        if self._running is not None:
            self._running.cancel()
