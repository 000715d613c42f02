"""The timeline's fixed rows, painted for the widget: the ruler with frame numbers and
timecode, the in/out marks, the frames a render flagged (`studio.frame_marks`) and the
tracking gaps (frames with no face or body)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

NAME_W = 130
RULER_H = 26
GAP_ROW_H = 12
NO_FACE = QColor(200, 70, 70, 160)
NO_BODY = QColor(230, 140, 50, 160)
OUTSIDE_MARKS = QColor(0, 0, 0, 110)  # shade over frames outside the in/out marks
MARK = QColor(120, 200, 255)
FLAGGED = QColor(255, 60, 140)  # frames a render flagged: apart from the gaps' red and orange
FLAGGED_H = 3  # the band along the ruler's foot, below the timecode


def timecode(frame: int, fps: float) -> str:
    """hh:mm:ss:ff, as editors write timecode (non-drop-frame at the rounded rate: 29.97 counts
    30 frames a second); ff = frame within the second."""
    fps_i = max(1, round(fps))
    secs, ff = divmod(frame, fps_i)
    return f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}:{ff:02d}"


def no_track_ranges(tracks, which: str) -> list[tuple[int, int]]:
    """Inclusive ranges with no face/body, from the tracker's meta (computed in core)."""
    if tracks is None:
        return []
    return [tuple(r) for r in tracks.meta.get(f"no_{which}_ranges", [])]


def tick_step(widget) -> int:
    px_per_frame = widget.px_per_frame()
    for step in (1, 2, 5, 10, 15, 30, 60, 150, 300, 600, 1500, 3000):
        if step * px_per_frame >= 90:  # room for hh:mm:ss:ff
            return step
    return 6000


def paint_ruler(widget, p: QPainter) -> None:
    p.fillRect(QRectF(0, 0, widget.width(), RULER_H), QColor(26, 26, 30))
    p.setPen(QColor(170, 170, 180))
    step, fps = tick_step(widget), widget.state.fps
    p.drawText(
        QRectF(6, 0, NAME_W - 8, RULER_H),
        Qt.AlignmentFlag.AlignVCenter,
        f"{widget.state.frame} | {timecode(widget.state.frame, fps)}",
    )
    for f in range(0, widget.state.frame_count, step):
        x = widget.frame_to_x(f)
        p.drawLine(QPointF(x, RULER_H - 8), QPointF(x, RULER_H))
        p.drawText(QPointF(x + 3, 11), str(f))
        p.drawText(QPointF(x + 3, RULER_H - 3), timecode(f, fps))


def paint_marks(widget, p: QPainter) -> None:
    """Frames outside the in/out marks shaded; a bracket on the ruler at each mark."""
    marks = widget.state.timeline.in_out
    if marks is None:
        return
    x0, x1 = widget.frame_to_x(marks[0] - 0.5), widget.frame_to_x(marks[1] + 0.5)
    p.fillRect(QRectF(NAME_W, 0, max(0.0, x0 - NAME_W), widget.height()), OUTSIDE_MARKS)
    p.fillRect(QRectF(x1, 0, max(0.0, widget.width() - x1), widget.height()), OUTSIDE_MARKS)
    p.setPen(QPen(MARK, 2))
    for x, tip in ((x0, 6.0), (x1, -6.0)):  # [ at the in, ] at the out
        p.drawPolyline(
            QPolygonF(
                [
                    QPointF(x + tip, 1),
                    QPointF(x, 1),
                    QPointF(x, RULER_H - 1),
                    QPointF(x + tip, RULER_H - 1),
                ]
            )
        )


def paint_flagged(widget, p: QPainter) -> None:
    """A band along the ruler's foot over each run of flagged frames, and a faint tint down
    through the rows, so a flagged stretch reads at any zoom (a frame is at least 2 px)."""
    marks = widget.frame_marks
    if marks is None:
        return
    tint = QColor(FLAGGED)
    tint.setAlpha(36)
    for a, b in marks.runs():
        x0, x1 = widget.frame_to_x(a - 0.5), widget.frame_to_x(b + 0.5)
        w = max(2.0, x1 - x0)
        p.fillRect(QRectF(x0, RULER_H - FLAGGED_H, w, FLAGGED_H), FLAGGED)
        p.fillRect(QRectF(x0, RULER_H, w, widget.height() - RULER_H), tint)


def paint_gaps(widget, p: QPainter) -> None:
    top = RULER_H
    p.fillRect(QRectF(NAME_W, top, widget.width() - NAME_W, GAP_ROW_H), QColor(36, 36, 40))
    p.setPen(QColor(150, 150, 160))
    p.drawText(QRectF(6, top, NAME_W, GAP_ROW_H), Qt.AlignmentFlag.AlignVCenter, "tracking gaps")
    for which, color, half in (("face", NO_FACE, 0), ("body", NO_BODY, 1)):
        for a, b in no_track_ranges(widget.state.tracks, which):
            x0, x1 = widget.frame_to_x(a - 0.5), widget.frame_to_x(b + 0.5)
            p.fillRect(QRectF(x0, top + half * GAP_ROW_H / 2, max(1.0, x1 - x0), GAP_ROW_H / 2), color)
            p.fillRect(
                QRectF(x0, top + GAP_ROW_H, max(1.0, x1 - x0), widget.height()),
                QColor(color.red(), color.green(), color.blue(), 28),
            )
