"""The timeline: ruler (frames + timecode), playhead, tracking gaps, the clip's audio, one row
per edit layer with keyframe diamonds (a driving performance's audio drawn in its bar), and a
band on the ruler over the frames the preview's renderer flagged (hover it for why). Click to
seek, drag a diamond to move it, Delete removes it; drag a layer bar's end to trim it, its
middle to move it (keyframes and a driving performance with it).

Zoom and scroll like an editor's (`studio.timeline_zoom`).

Convention: x maps the visible frames [first, first + visible) linearly over the widget width
after the name column; frame f is drawn at the centre of its cell.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QHelpEvent, QKeyEvent, QMouseEvent, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from render_core.edits.settings import DRIVEN_KINDS
from studio import commands as C
from studio.state import AppState
from studio.timeline_audio import paint_clip_audio, paint_driving_audio
from studio.timeline_rows import (
    GAP_ROW_H,
    NAME_W,
    RULER_H,
    paint_flagged,
    paint_gaps,
    paint_marks,
    paint_ruler,
)
from studio.timeline_zoom import TimelineZoom

AUDIO_ROW_H = 18
LAYERS_TOP = RULER_H + GAP_ROW_H + AUDIO_ROW_H
ROW_H = 24
DIAMOND = 6.0
EDGE_PX = 5.0  # how near a layer bar's end a press grabs it for trimming
BG = QColor(32, 32, 36)
ROW_BG = (QColor(40, 40, 46), QColor(44, 44, 51))
SELECTED_BG = QColor(56, 64, 86)
LAYER_BAR = QColor(80, 110, 170)
KEY = QColor(250, 200, 60)
KEY_SELECTED = QColor(255, 255, 255)
PLAYHEAD = QColor(255, 80, 80)


class TimelineWidget(TimelineZoom, QWidget):
    keyframe_selected = Signal(object, object)  # layer id, frame (or None, None)
    view_changed = Signal()  # zoom or scroll changed

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.selected_key: tuple[str, int] | None = None
        self._drag_key: tuple[str, int] | None = None
        self._drag_bar: tuple | None = None  # (layer as pressed, part, pressed frame, gesture)
        self._scrubbing = False
        self.waveforms = None  # studio.waveforms.WaveformStore, set by the main window
        self.frame_marks = None  # studio.frame_marks.FrameMarks, set by the main window
        self.setMouseTracking(True)  # the cursor shows what a press on a bar would grab
        self.setMinimumHeight(LAYERS_TOP + 3 * ROW_H)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        for sig in (
            state.timeline_changed,
            state.tracks_changed,
            state.clip_changed,
            state.selection_changed,
        ):
            sig.connect(self._changed)
        state.frame_changed.connect(self._follow_playhead)
        state.clip_changed.connect(self.zoom_to_fit)

    def _changed(self, *_args) -> None:
        if self.selected_key and not self._key_exists(*self.selected_key):
            self.selected_key = None
        self.setMinimumHeight(LAYERS_TOP + max(3, len(self.state.timeline.layers)) * ROW_H)
        self.update()

    def _key_exists(self, layer_id: str, frame: int) -> bool:
        ids = {ly.id: ly for ly in self.state.timeline.layers}
        return layer_id in ids and frame in ids[layer_id].keyframes

    # -- mapping -------------------------------------------------------------------------
    def frame_to_x(self, frame: float) -> float:
        return NAME_W + (frame + 0.5 - self.first) * self.px_per_frame()

    def x_to_frame(self, x: float) -> int:
        return int(self.frames_at(np.array([x]))[0])

    def frames_at(self, xs: np.ndarray) -> np.ndarray:
        """The frame under each x (clamped to the clip)."""
        n = max(1, self.state.frame_count)
        f = np.floor((np.asarray(xs, np.float64) - NAME_W) / self.px_per_frame() + self.first).astype(int)
        return np.clip(f, 0, n - 1)

    def row_top(self, i: int) -> int:
        return LAYERS_TOP + i * ROW_H

    def key_at(self, pos: QPointF) -> tuple[str, int] | None:
        """The keyframe diamond under `pos`, if any."""
        for i, layer in enumerate(self.state.timeline.layers):
            cy = self.row_top(i) + ROW_H / 2
            if abs(pos.y() - cy) > ROW_H / 2:
                continue
            for f in layer.keyframes:
                if abs(pos.x() - self.frame_to_x(f)) <= DIAMOND + 2:
                    return layer.id, f
        return None

    def bar_part_at(self, pos: QPointF) -> tuple[str, str] | None:
        """(layer id, "start" | "end" | "body") of the layer bar under `pos`, if any."""
        layer_id = self.layer_at(pos.y())
        if layer_id is None or pos.x() < NAME_W:
            return None
        layer = self.state.timeline.layer(layer_id)
        x0, x1, x = self.frame_to_x(layer.start - 0.5), self.frame_to_x(layer.end + 0.5), pos.x()
        if x0 - EDGE_PX <= x <= x0 + 1:  # the grab zones lie outside the bar, off its keyframes
            return layer_id, "start"
        if x1 - 1 <= x <= x1 + EDGE_PX:
            return layer_id, "end"
        whole_clip = layer.start == 0 and layer.end >= self.state.frame_count - 1
        return (layer_id, "body") if x0 < x < x1 and not whole_clip else None  # it cannot move

    def layer_at(self, y: float) -> str | None:
        i = int((y - LAYERS_TOP) // ROW_H)
        layers = self.state.timeline.layers
        return layers[i].id if y >= LAYERS_TOP and 0 <= i < len(layers) else None

    # -- painting ------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), BG)
        if not self.state.is_open:
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        lanes = QRectF(NAME_W, 0, self.width() - NAME_W, self.height())
        for i, layer in enumerate(self.state.timeline.layers):
            self._paint_layer_name(p, i, layer)
        p.setClipRect(lanes)  # zoomed in, what lies left of the view stays out of the names
        paint_ruler(self, p)
        paint_flagged(self, p)
        paint_gaps(self, p)
        paint_clip_audio(self, p, QRectF(NAME_W, RULER_H + GAP_ROW_H, self.width() - NAME_W, AUDIO_ROW_H))
        for i, layer in enumerate(self.state.timeline.layers):
            self._paint_layer(p, i, layer)
        paint_marks(self, p)
        x = self.frame_to_x(self.state.frame)
        p.setPen(QPen(PLAYHEAD, 2))
        p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
        p.end()

    def column_first_frames(self, x0: float, x1: float) -> np.ndarray:
        """The first frame under each pixel column from x0 to x1."""
        return self.frames_at(np.arange(np.floor(x0), np.ceil(x1)))

    def _paint_layer_name(self, p: QPainter, i: int, layer) -> None:
        top = self.row_top(i)
        selected = layer.id == self.state.selected_layer_id
        p.fillRect(QRectF(0, top, self.width(), ROW_H), SELECTED_BG if selected else ROW_BG[i % 2])
        p.setPen(QColor(230, 230, 235) if layer.enabled else QColor(120, 120, 125))
        p.drawText(QRectF(8, top, NAME_W - 10, ROW_H), Qt.AlignmentFlag.AlignVCenter, layer.name)

    def _paint_layer(self, p: QPainter, i: int, layer) -> None:
        top = self.row_top(i)
        x0, x1 = self.frame_to_x(layer.start - 0.5), self.frame_to_x(layer.end + 0.5)
        bar = QColor(LAYER_BAR)
        bar.setAlpha(150 if layer.enabled else 50)
        p.fillRect(QRectF(x0, top + 7, x1 - x0, ROW_H - 14), bar)
        if layer.kind in DRIVEN_KINDS:
            paint_driving_audio(self, p, layer, QRectF(x0, top + 4, x1 - x0, ROW_H - 8))
        cy = top + ROW_H / 2
        for f in layer.keyframes:
            x = self.frame_to_x(f)
            sel = self.selected_key == (layer.id, f)
            p.setPen(QPen(QColor(20, 20, 20), 1))
            p.setBrush(KEY_SELECTED if sel else KEY)
            d = DIAMOND
            p.drawPolygon(
                QPolygonF([QPointF(x, cy - d), QPointF(x + d, cy), QPointF(x, cy + d), QPointF(x - d, cy)])
            )
        p.setBrush(Qt.BrushStyle.NoBrush)

    # -- interaction ---------------------------------------------------------------------
    def flag_tip_at(self, pos: QPointF) -> str | None:
        """What the flagged frame under `pos` on the ruler means, or None."""
        if self.frame_marks is None or not self.state.is_open or pos.y() > RULER_H or pos.x() < NAME_W:
            return None
        return self.frame_marks.tooltip(self.x_to_frame(pos.x()))

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            tip = self.flag_tip_at(QPointF(e.pos()))
            if tip:
                QToolTip.showText(e.globalPos(), tip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(e)

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if not self.state.is_open or e.button() != Qt.MouseButton.LeftButton:
            return
        key = self.key_at(e.position())
        bar = self.bar_part_at(e.position())  # a whole-clip layer has no body: a drag there scrubs
        if key is not None and (bar is None or bar[1] == "body"):  # an end beats a key on it
            self.selected_key = self._drag_key = key
            self.state.select_layer(key[0])
            self.state.set_frame(key[1])
            self.keyframe_selected.emit(*key)
            self.update()
            return
        layer_id = self.layer_at(e.position().y())
        if layer_id is not None:
            self.state.select_layer(layer_id)
        self.selected_key = None
        if bar is not None:
            frame = self.x_to_frame(e.position().x())
            self._drag_bar = (self.state.timeline.layer(bar[0]), bar[1], frame, object())
            if bar[1] == "body":
                self.state.set_frame(frame)  # a click on a bar still seeks
            return
        self._scrubbing = e.position().x() >= NAME_W
        if self._scrubbing:
            self.state.set_frame(self.x_to_frame(e.position().x()))

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self._drag_key is not None:
            layer_id, old = self._drag_key
            new = self.x_to_frame(e.position().x())
            if new != old:
                self.state.undo_stack.push(C.MoveKeyframe(self.state, layer_id, old, new))
                self._drag_key = self.selected_key = (layer_id, new)
                self.state.set_frame(new)
        elif self._drag_bar is not None:
            self._retime(self.x_to_frame(e.position().x()))
        elif self._scrubbing:
            self.state.set_frame(self.x_to_frame(e.position().x()))
        else:
            self._hover_cursor(e.position())

    def _retime(self, frame: int) -> None:
        """Trim or move the dragged layer so its grabbed part follows the mouse (one undo step
        per drag). Trims keep at least one frame; a move keeps the layer inside the clip."""
        layer, part, pressed, gesture = self._drag_bar
        last = max(0, self.state.frame_count - 1)
        if part in ("start", "end"):
            new, text = layer.trimmed(part, frame), f"Trim {layer.name} {part}"
        else:
            delta = max(-layer.start, min(frame - pressed, last - layer.end))
            new, text = layer.shifted(delta), f"Move {layer.name}"
        current = self.state.timeline.layer(layer.id)
        if (new.start, new.end, dict(new.keyframes)) != (current.start, current.end, dict(current.keyframes)):
            self.state.undo_stack.push(C.ChangeLayer(self.state, new, text, gesture))
            if part != "body":
                self.state.set_frame(new.start if part == "start" else new.end)

    def _hover_cursor(self, pos: QPointF) -> None:
        part = self.bar_part_at(pos)
        if part is not None and part[1] == "body" and self.key_at(pos) is not None:
            part = None  # a keyframe: the arrow
        shape = {"start": Qt.CursorShape.SizeHorCursor, "end": Qt.CursorShape.SizeHorCursor}
        shape["body"] = Qt.CursorShape.OpenHandCursor
        self.setCursor(shape[part[1]] if part else Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        self._drag_key = None
        self._drag_bar = None
        self._scrubbing = False

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected_key is not None:
            self.delete_selected_key()
        else:
            super().keyPressEvent(e)

    def delete_selected_key(self) -> None:
        if self.selected_key is not None and self._key_exists(*self.selected_key):
            self.state.undo_stack.push(C.DeleteKeyframe(self.state, *self.selected_key))
            self.selected_key = None
