"""Drawing audio levels on the timeline: the clip's own row, and a driving performance's sound
inside its layer's bar (pure helpers; the widget calls them while painting)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from render_core.edits.settings import driving_frame_at

WAVE = QColor(110, 190, 140)
WAVE_IN_BAR = QColor(200, 230, 255, 150)
LABEL = QColor(150, 150, 160)


def column_levels(levels: np.ndarray, first_frames: np.ndarray) -> np.ndarray:
    """The loudest level of each pixel column, given each column's first frame (ascending;
    a column narrower than a frame repeats its frame's level)."""
    if len(levels) == 0 or len(first_frames) == 0:
        return np.zeros(len(first_frames), np.float32)
    f = np.clip(first_frames, 0, len(levels) - 1)
    starts, where = np.unique(f, return_inverse=True)
    return np.maximum.reduceat(levels, starts)[where]


def driven_levels(layer, driving: np.ndarray, driving_fps: float, output_fps: float) -> np.ndarray:
    """(layer.end - layer.start + 1,) the driving clip's level at each of the layer's frames,
    read by the same rule that picks its driving frame (0 past the performance's end)."""
    rate = driving_fps / output_fps if driving_fps and output_fps else 1.0
    offset = int(layer.settings.get("offset", 0))
    d = driving_frame_at(np.arange(layer.start, layer.end + 1), layer.start, offset, rate)
    inside = (d >= 0) & (d < len(driving))
    return np.where(inside, driving[np.clip(d, 0, max(0, len(driving) - 1))], 0.0).astype(np.float32)


def paint_levels(p: QPainter, rect: QRectF, values: np.ndarray, color: QColor) -> None:
    """One vertical line per pixel column, centred in `rect`, as tall as its level."""
    if len(values) == 0:
        return
    cy, half = rect.center().y(), rect.height() / 2 - 1
    xs = rect.left() + np.arange(len(values)) + 0.5
    hs = np.maximum(values * half, 0.5)
    p.setPen(QPen(color, 1))
    p.drawLines(list(map(QLineF, xs, cy - hs, xs, cy + hs)))


def paint_clip_audio(widget, p: QPainter, row: QRectF) -> None:
    """The open clip's audio row of the timeline `widget` (its name column left of `row`)."""
    p.fillRect(row, QColor(30, 34, 32))
    store = widget.waveforms
    levels = store.get(widget.state.clip_path) if store is not None else None
    p.setPen(LABEL)
    label = "audio" if levels is not None else "audio (none)"
    p.drawText(QRectF(6, row.top(), row.left() - 6, row.height()), Qt.AlignmentFlag.AlignVCenter, label)
    if levels is not None:
        values = column_levels(levels, widget.column_first_frames(row.left(), row.right()))
        paint_levels(p, QRectF(row.left(), row.top(), len(values), row.height()), values, WAVE)


def paint_driving_audio(widget, p: QPainter, layer, bar: QRectF) -> None:
    """A reenact / transfer layer's driving sound where it plays in the bar (what lips follow)."""
    project, store = widget.state.project, widget.waveforms
    cid = layer.settings.get("driving_clip")
    if store is None or not cid or project is None or cid not in {c.id for c in project.clips}:
        return
    levels, info = store.get(project.clip_path(cid)), project.clip(cid).info
    if levels is None or info is None:
        return
    per_frame = driven_levels(layer, levels, float(info.fps), widget.state.fps)
    values = column_levels(per_frame, widget.column_first_frames(bar.left(), bar.right()) - layer.start)
    paint_levels(p, QRectF(np.floor(bar.left()), bar.top(), len(values), bar.height()), values, WAVE_IN_BAR)
