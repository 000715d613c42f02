"""The timeline's zoom and scroll, as an editor user expects: Ctrl+wheel zooms about the mouse,
the wheel scrolls, the view pages along with the playhead; `zoom_by`, `scroll_to` and
`zoom_to_fit` back the View menu and the scroll bar.

Mixed into `TimelineWidget`, which provides `state`, `width()`, `update()` and `view_changed`.
Convention: the view shows the frames [first, first + visible_frames()) over the widget width
after the name column; `zoom` 1 shows the whole clip.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent

from studio.timeline_rows import NAME_W

MIN_VISIBLE_FRAMES = 8  # the deepest zoom shows this many frames


class TimelineZoom:
    zoom = 1.0  # 1: the whole clip fits
    first = 0.0  # the first visible frame (fractional while zoomed)

    def visible_frames(self) -> float:
        return max(1, self.state.frame_count) / self.zoom

    def px_per_frame(self) -> float:
        return max(1, self.width() - NAME_W) / self.visible_frames()

    def visible_range(self) -> tuple[int, int]:
        """(first, last) frames at least partly in view."""
        last = min(self.state.frame_count, int(np.ceil(self.first + self.visible_frames()))) - 1
        return int(self.first), max(int(self.first), last)

    def _set_view(self, zoom: float, first: float) -> None:
        n = max(1, self.state.frame_count)
        self.zoom = min(max(zoom, 1.0), max(1.0, n / MIN_VISIBLE_FRAMES))
        self.first = min(max(first, 0.0), n - self.visible_frames())
        self.update()
        self.view_changed.emit()

    def zoom_by(self, factor: float, anchor_x: float | None = None) -> None:
        """Zoom keeping the frame under `anchor_x` (widget px; default the playhead if in view,
        else the middle) where it is."""
        if anchor_x is None:
            x = self.frame_to_x(self.state.frame)
            anchor_x = x if NAME_W <= x <= self.width() else NAME_W + (self.width() - NAME_W) / 2
        at = (anchor_x - NAME_W) / self.px_per_frame() + self.first  # fractional frame
        zoom = self.zoom * factor
        n = max(1, self.state.frame_count)
        zoom = min(max(zoom, 1.0), max(1.0, n / MIN_VISIBLE_FRAMES))
        self._set_view(zoom, at - (anchor_x - NAME_W) / (max(1, self.width() - NAME_W) * zoom / n))

    def scroll_by(self, frames: float) -> None:
        self._set_view(self.zoom, self.first + frames)

    def scroll_to(self, first: float) -> None:
        self._set_view(self.zoom, first)

    def zoom_to_fit(self) -> None:
        self._set_view(1.0, 0.0)

    def _follow_playhead(self, frame: int) -> None:
        """Page the view when the playhead leaves it (playback, stepping, jumps)."""
        first, last = self.visible_range()
        if self.zoom > 1.0 and not first <= frame <= last:
            self.scroll_to(frame - 0.1 * self.visible_frames())
        self.update()

    def wheelEvent(self, e: QWheelEvent) -> None:
        """Ctrl+wheel zooms about the mouse; the wheel (either direction) scrolls."""
        dy = e.angleDelta().y() or e.angleDelta().x()
        if not self.state.is_open or dy == 0:
            return
        if e.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.25 ** (dy / 120), e.position().x())
        else:
            self.scroll_by(-dy / 120 * 0.1 * self.visible_frames())
        e.accept()
