"""The training dialog's live loss chart, drawn with QPainter: one line per loss term over the
step, axes labelled with three significant digits, a legend.

Why not pyqtgraph: with PySide6 6.9.1 its plots never auto-range and never draw their curves
(pyqtgraph issue 3345), so the chart stayed empty while the loss fell.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

COLORS = ("#4fc3f7", "#ffb74d", "#81c784", "#e57373", "#ba68c8", "#fff176")
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 62, 12, 22, 28
MAX_DRAWN = 2000  # points per line drawn; longer runs are thinned for painting only


class LossChart(QWidget):
    """series: {name: ([steps], [values])} in arrival order; `add` appends and repaints."""

    def __init__(self, title: str = "loss", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.series: dict[str, tuple[list[int], list[float]]] = {}
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def clear(self) -> None:
        self.series = {}
        self.update()

    def add(self, step: int, values: dict[str, float]) -> None:
        for name, value in values.items():
            xs, ys = self.series.setdefault(name, ([], []))
            xs.append(int(step))
            ys.append(float(value))
        self.update()

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(x0, x1, y0, y1) covering every point, never of zero width; None when empty."""
        xs = [x for s in self.series.values() for x in s[0]]
        ys = [y for s in self.series.values() for y in s[1]]
        if not xs:
            return None
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        pad = 0.05 * (y1 - y0) or 0.05 * abs(y0) or 0.05
        return x0, max(x1, x0 + 1), y0 - pad, y1 + pad

    def plot_rect(self) -> QRectF:
        return QRectF(
            MARGIN_L, MARGIN_T, self.width() - MARGIN_L - MARGIN_R, self.height() - MARGIN_T - MARGIN_B
        )

    def to_widget(self, x: float, y: float) -> QPointF:
        x0, x1, y0, y1 = self.bounds()
        r = self.plot_rect()
        return QPointF(
            r.left() + (x - x0) / (x1 - x0) * r.width(), r.bottom() - (y - y0) / (y1 - y0) * r.height()
        )

    # -- painting ------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(20, 20, 24))
        p.setPen(QColor(200, 200, 210))
        p.drawText(QRectF(0, 2, self.width(), MARGIN_T), Qt.AlignmentFlag.AlignCenter, self.title)
        bounds = self.bounds()
        if bounds is None:
            p.drawText(
                self.plot_rect(), Qt.AlignmentFlag.AlignCenter, "the loss appears here as training runs"
            )
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_axes(p, bounds)
        for i, (name, (xs, ys)) in enumerate(self.series.items()):
            stride = max(1, len(xs) // MAX_DRAWN)
            pts = [self.to_widget(x, y) for x, y in zip(xs[::stride], ys[::stride], strict=True)]
            if stride > 1:
                pts.append(self.to_widget(xs[-1], ys[-1]))
            pen = QPen(QColor(COLORS[i % len(COLORS)]), 1.5)
            p.setPen(pen)
            p.drawPolyline(QPolygonF(pts)) if len(pts) > 1 else p.drawEllipse(pts[0], 2.0, 2.0)
            p.drawText(QPointF(MARGIN_L + 8, MARGIN_T + 14 * (i + 1)), f"{name} {ys[-1]:.3g}")
        p.end()

    def _paint_axes(self, p: QPainter, bounds: tuple[float, float, float, float]) -> None:
        x0, x1, y0, y1 = bounds
        r = self.plot_rect()
        p.setPen(QColor(120, 120, 130))
        p.drawRect(r)
        for k in range(3):
            y = y0 + (y1 - y0) * k / 2
            at = self.to_widget(x0, y)
            p.drawText(QRectF(0, at.y() - 8, MARGIN_L - 6, 16), Qt.AlignmentFlag.AlignRight, f"{y:.3g}")
        for x, align in ((x0, Qt.AlignmentFlag.AlignLeft), (x1, Qt.AlignmentFlag.AlignRight)):
            at = self.to_widget(x, y0)
            box = QRectF(at.x() - (0 if align == Qt.AlignmentFlag.AlignLeft else 80), r.bottom() + 4, 80, 16)
            p.drawText(box, align, f"step {int(x)}")
