"""Tracking overlays painted with QPainter in frame pixel coordinates (face mesh, iris,
skeleton, person mask, face crop box). Pure presentation: positions come from the tracks and
`render_core` helpers; nothing is computed here beyond drawing them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from render_core.render.overlay import face_edges, pose_edges
from render_core.tracking.tracks import Tracks

FACE = QColor(80, 220, 255, 170)
IRIS = QColor(255, 60, 200)
BONE = QColor(60, 255, 120, 220)
JOINT = QColor(255, 200, 40)
BOX = QColor(255, 255, 255, 200)
MASK = QColor(40, 140, 255)
MIN_VISIBILITY = 0.5


@dataclass
class OverlayFlags:
    face_mesh: bool = True
    iris: bool = True
    skeleton: bool = True
    person_mask: bool = False
    face_box: bool = False


def face_at(tracks: Tracks | None, t: int):
    f = tracks.face if tracks is not None else None
    return f if f is not None and t < len(f) and bool(f.valid[t]) else None


def body_at(tracks: Tracks | None, t: int):
    b = tracks.body if tracks is not None else None
    return b if b is not None and t < len(b) and bool(b.valid[t]) else None


def _lines(points: np.ndarray, edges: np.ndarray) -> list[QLineF]:
    """The edges as QLineF for `QPainter.drawLines`, made by mapping the constructor over plain
    float columns: about 3x faster than converting each coordinate (the GUI thread pays this
    for every frame shown during playback). A QPolygonF of point pairs is quicker to build but
    slower to draw (docs/performance.md)."""
    columns = np.concatenate([points[edges[:, 0], :2], points[edges[:, 1], :2]], axis=1).T.tolist()
    return list(map(QLineF, *columns))


def _pen(color: QColor, width: float) -> QPen:
    pen = QPen(color, width)
    pen.setCosmetic(True)  # width in screen pixels at any zoom
    return pen


def paint_face(
    p: QPainter, tracks: Tracks, t: int, flags: OverlayFlags, iris: np.ndarray | None = None
) -> None:
    """Face mesh, irises and crop box of frame t; `iris` (2, 2) overrides the tracked irises
    (where the gaze edit turned them)."""
    face = face_at(tracks, t)
    if face is None:
        return
    if flags.face_mesh:
        p.setPen(_pen(FACE, 1.0))
        p.drawLines(_lines(face.landmarks[t], face_edges()))
    if flags.iris:
        p.setPen(_pen(IRIS, 2.0))
        r = max(2.0, 0.006 * float(np.ptp(face.landmarks[t, :, 0])))
        for x, y in face.iris[t] if iris is None else iris:
            p.drawEllipse(QPointF(float(x), float(y)), r, r)
    if flags.face_box:
        from render_core.families.portrait.crop import raw_params

        c = raw_params(face.landmarks[t])
        p.save()
        p.translate(c.cx, c.cy)
        p.rotate(math.degrees(c.roll))
        p.setPen(_pen(BOX, 1.5))
        p.drawRect(QRectF(-c.side / 2, -c.side / 2, c.side, c.side))
        p.restore()


def paint_body(
    p: QPainter, tracks: Tracks, t: int, flags: OverlayFlags, joints: np.ndarray | None = None
) -> None:
    """Skeleton of frame t; `joints` (33, 4) overrides the tracked ones (a drag in progress)."""
    body = body_at(tracks, t)
    if body is None or not flags.skeleton:
        return
    j = body.joints[t] if joints is None else joints
    vis = j[:, 3] >= MIN_VISIBILITY
    edges = pose_edges()
    keep = edges[vis[edges[:, 0]] & vis[edges[:, 1]]]
    p.setPen(_pen(BONE, 2.5))
    p.drawLines(_lines(j, keep))
    p.setPen(_pen(JOINT, 7.0))
    p.drawPoints([QPointF(float(x), float(y)) for x, y in j[vis, :2]])


def mask_image(tracks: Tracks | None, t: int, size: tuple[int, int]) -> QImage | None:
    """The person mask of frame t as a tinted translucent QImage at `size` = (w, h)."""
    if tracks is None or tracks.body is None:
        return None
    m = tracks.body.mask(t, size)
    if m is None:
        return None
    alpha = np.ascontiguousarray((m * 110).astype(np.uint8))
    h, w = alpha.shape
    img = QImage(w, h, QImage.Format.Format_ARGB32)
    img.fill(MASK)
    a = QImage(alpha.data, w, h, w, QImage.Format.Format_Alpha8).copy()
    painter = QPainter(img)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
    painter.drawImage(0, 0, a)
    painter.end()
    return img


def nearest_joint(joints: np.ndarray | None, x: float, y: float, radius: float) -> int | None:
    """Index of the visible joint of `joints` (33, 4) within `radius` frame px of (x, y)."""
    if joints is None:
        return None
    d = np.hypot(joints[:, 0] - x, joints[:, 1] - y)
    d[joints[:, 3] < MIN_VISIBILITY] = np.inf
    i = int(np.argmin(d))
    return i if d[i] <= radius else None


def nearest_iris(iris: np.ndarray | None, x: float, y: float, radius: float) -> int | None:
    """Which iris of `iris` (2, 2) px (0 subject's left, 1 right) is within `radius` of (x, y)."""
    if iris is None:
        return None
    d = np.hypot(iris[:, 0] - x, iris[:, 1] - y)
    i = int(np.argmin(d))
    return i if d[i] <= radius else None


def over_face(tracks: Tracks | None, t: int, x: float, y: float) -> bool:
    face = face_at(tracks, t)
    if face is None:
        return False
    lo, hi = np.nanmin(face.landmarks[t, :, :2], 0), np.nanmax(face.landmarks[t, :, :2], 0)
    return bool(lo[0] <= x <= hi[0] and lo[1] <= y <= hi[1])


def paint_drag_line(p: QPainter, a: QPointF, b: QPointF) -> None:
    pen = _pen(QColor(255, 255, 255), 1.5)
    pen.setStyle(Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.drawLine(a, b)
