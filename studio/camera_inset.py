"""A top-down map of an image set in the viewer's corner: where the camera is among the
captured views while you orbit it.

It draws the captured cameras (dots, a short tick along each view), the path being rendered
(a line), the cube the novel-view grid fills (the capture's scene box, dashed), the captured
view nearest to the current camera (ringed) and the current camera: the path's camera at the
playhead moved by the viewpoint layers (orange, a longer tick). The first captured camera
looks up the map. The static parts are drawn once per document into a pixmap; a frame or an
edit repaints only the current camera over it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap, QPolygonF, QTransform
from PySide6.QtWidgets import QWidget

from render_core.edits.viewpoint_ops import box_plan, nearest_view, plan_axes, to_plan
from render_core.geometry.cameras import invert_rigid
from render_core.states import CameraState
from studio.state import AppState

MAP_SIZE = QSize(200, 200)
MARGIN = 12  # px from the viewer's corner
PAD = 14.0  # px around the drawing inside the map
TITLE_PX = 14.0  # the title's line above the drawing
TICK_PX = 9.0
CURRENT_TICK_PX = 16.0
VIEW = QColor(230, 230, 235)
CURRENT = QColor(255, 152, 0)
NEAREST = QColor(255, 235, 59)
PATH = QColor(100, 181, 246)
BOX = QColor(160, 160, 175)


@dataclass(frozen=True, eq=False)
class CameraMap:
    """An image set seen from above, in world units about the subject's centre (x right, y
    ahead). views / view_dirs: (N, 2) captured camera positions and unit view directions
    (zero for a camera looking straight down); path: (M, 2) the path's camera positions;
    box: (K, 2) the grid's outline, or None."""

    axes: np.ndarray
    center: np.ndarray
    world_to_camera: np.ndarray
    views: np.ndarray
    view_dirs: np.ndarray
    path: np.ndarray
    box: np.ndarray | None


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.where(n > 1e-9, v / np.maximum(n, 1e-9), 0.0)


def camera_map(image_set) -> CameraMap:
    """The map of an opened image set (`studio.image_set.ImageSet`)."""
    cap = image_set.capture
    c2w = cap.camera_to_world
    axes = plan_axes(cap.up, c2w[0, :3, 2])
    path_c2w = invert_rigid(np.stack([np.asarray(c.world_to_camera) for c in image_set.cameras]))
    box = box_plan(cap.center, cap.radius, cap.center, axes) if cap.radius > 0 else None
    return CameraMap(
        axes=axes,
        center=cap.center,
        world_to_camera=cap.world_to_camera,
        views=to_plan(c2w[:, :3, 3], cap.center, axes),
        view_dirs=_unit(to_plan(c2w[:, :3, 2], np.zeros(3), axes)),
        path=to_plan(path_c2w[:, :3, 3], cap.center, axes),
        box=box,
    )


def current_camera(state: AppState) -> CameraState | None:
    """The camera drawing the frame at the playhead: the path's, moved by the viewpoint layers."""
    from render_core.render.frame_edits import resolve_camera

    if state.image_set is None:
        return None
    tracked, edited = resolve_camera(state.image_set.sources, state.timeline, state.frame)
    return edited or tracked


def map_transform(cmap: CameraMap, size: QSize) -> QTransform:
    """Map units -> widget px: everything fits inside `PAD` below the title, ahead is up."""
    pts = [cmap.views, cmap.path, np.zeros((1, 2))] + ([cmap.box] if cmap.box is not None else [])
    pts = np.concatenate(pts)
    lo, hi = pts.min(0), pts.max(0)
    span = np.maximum(hi - lo, 1e-6)
    s = min((size.width() - 2 * PAD) / span[0], (size.height() - 2 * PAD - TITLE_PX) / span[1])
    mid = (lo + hi) / 2
    t = QTransform()
    t.translate(size.width() / 2, (size.height() + TITLE_PX) / 2)
    t.scale(s, -s)
    t.translate(-mid[0], -mid[1])
    return t


@dataclass(frozen=True)
class MapMarks:
    """What the map draws, in widget px: one dot and tick end per captured view, the path,
    the box, the ringed nearest view's index and the current camera's dot and tick end."""

    views: tuple[QPointF, ...]
    ticks: tuple[QPointF, ...]
    path: QPolygonF
    box: QPolygonF | None
    nearest: int
    current: QPointF
    current_tick: QPointF


def _tick(tr: QTransform, at: np.ndarray, direction: np.ndarray, length: float) -> QPointF:
    """Where a tick of `length` px from map point `at` along map `direction` ends (the map is
    a uniform scale with y flipped, so directions keep their angle)."""
    p = tr.map(QPointF(float(at[0]), float(at[1])))
    return p + QPointF(float(direction[0]) * length, -float(direction[1]) * length)


def _polygon(tr: QTransform, pts: np.ndarray) -> QPolygonF:
    return tr.map(QPolygonF([QPointF(float(x), float(y)) for x, y in pts]))


def static_marks(cmap: CameraMap, tr: QTransform) -> tuple:
    """(views, ticks, path, box) in widget px: what does not change with the playhead."""
    views = tuple(tr.map(QPointF(float(x), float(y))) for x, y in cmap.views)
    ticks = tuple(_tick(tr, p, d, TICK_PX) for p, d in zip(cmap.views, cmap.view_dirs, strict=True))
    box = _polygon(tr, cmap.box) if cmap.box is not None else None
    return views, ticks, _polygon(tr, cmap.path), box


def current_marks(cmap: CameraMap, cam: CameraState, tr: QTransform) -> tuple[int, QPointF, QPointF]:
    """(nearest captured view, dot, tick end) of the current camera `cam`, in widget px."""
    c2w = invert_rigid(np.asarray(cam.world_to_camera, np.float64))
    at = to_plan(c2w[:3, 3], cmap.center, cmap.axes)
    direction = _unit(to_plan(c2w[:3, 2], np.zeros(3), cmap.axes))
    current = tr.map(QPointF(float(at[0]), float(at[1])))
    return nearest_view(cmap.world_to_camera, cam), current, _tick(tr, at, direction, CURRENT_TICK_PX)


def map_marks(cmap: CameraMap, cam: CameraState, size: QSize) -> MapMarks:
    """Everything the map draws for current camera `cam` in a widget of `size`."""
    tr = map_transform(cmap, size)
    return MapMarks(*static_marks(cmap, tr), *current_marks(cmap, cam, tr))


def _pen(color: QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(color, width)
    pen.setStyle(style)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


class CameraInset(QWidget):
    """The map, in the viewer's bottom-left corner while an image set is open and the View
    menu's "Camera map" is on. Mouse events pass through to the viewer (drags there orbit)."""

    def __init__(self, state: AppState, parent: QWidget) -> None:
        super().__init__(parent)
        self.state = state
        self.wanted = True  # the View menu's toggle
        self.cmap: CameraMap | None = None
        self._static: tuple[QPixmap, QTransform, tuple[QPointF, ...]] | None = None  # drawn once
        self.setFixedSize(MAP_SIZE)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setToolTip("Cameras seen from above: captured views, the path, the current camera")
        parent.installEventFilter(self)
        state.clip_changed.connect(self._document_changed)
        for sig in (state.frame_changed, state.timeline_changed):
            sig.connect(lambda *_a: self.update())
        self._document_changed()

    def set_wanted(self, on: bool) -> None:
        self.wanted = bool(on)
        self._place()

    def _document_changed(self) -> None:
        image_set = self.state.image_set
        self.cmap = camera_map(image_set) if image_set is not None else None
        self._static = None
        self._place()

    def _place(self) -> None:
        parent = self.parentWidget()
        self.move(MARGIN, parent.height() - self.height() - MARGIN)
        self.setVisible(self.wanted and self.cmap is not None)
        if self.isVisible():
            self.raise_()
            self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def marks(self) -> MapMarks | None:
        """What the map shows now (None when no image set is open)."""
        cam = current_camera(self.state)
        return None if self.cmap is None or cam is None else map_marks(self.cmap, cam, self.size())

    def _static_layer(self) -> tuple[QPixmap, QTransform, tuple[QPointF, ...]]:
        """(background, box, path and captured views drawn once per document; the map's
        transform; the views' dots) for `paintEvent` to draw the current camera over."""
        if self._static is None:
            ratio = self.devicePixelRatioF()
            pm = QPixmap(self.size() * ratio)
            pm.setDevicePixelRatio(ratio)
            pm.fill(Qt.GlobalColor.transparent)
            p = QPainter(pm)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(_pen(QColor(90, 90, 100), 1.0))
            p.setBrush(QColor(18, 18, 22, 215))
            p.drawRoundedRect(QRectF(0.5, 0.5, self.width() - 1, self.height() - 1), 6, 6)
            tr = map_transform(self.cmap, self.size())
            views, ticks, path, box = static_marks(self.cmap, tr)
            p.setBrush(Qt.BrushStyle.NoBrush)
            if box is not None:
                p.setPen(_pen(BOX, 1.0, Qt.PenStyle.DashLine))
                p.drawPolygon(box)
            p.setPen(_pen(PATH, 1.5))
            p.drawPolyline(path)
            p.setPen(_pen(VIEW, 1.2))
            for at, end in zip(views, ticks, strict=True):
                p.drawLine(at, end)
            p.setBrush(VIEW)
            for at in views:
                p.drawEllipse(at, 2.2, 2.2)
            p.setPen(QColor(150, 150, 160))
            p.drawText(
                QRectF(8, 3, self.width() - 16, TITLE_PX), Qt.AlignmentFlag.AlignLeft, "Cameras, top view"
            )
            p.end()
            self._static = (pm, tr, views)
        return self._static

    def paintEvent(self, _event) -> None:
        cam = current_camera(self.state)
        if self.cmap is None or cam is None:
            return
        pm, tr, views = self._static_layer()
        nearest, current, tick = current_marks(self.cmap, cam, tr)
        p = QPainter(self)
        p.drawPixmap(0, 0, pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(_pen(NEAREST, 1.5))
        p.drawEllipse(views[nearest], 5.0, 5.0)
        p.setPen(_pen(CURRENT, 2.5))
        p.drawLine(current, tick)
        p.setBrush(CURRENT)
        p.drawEllipse(current, 4.0, 4.0)
        p.end()
