"""The frame viewer: original / edited preview, before-after and split view, fit/zoom/pan,
tracking overlays, and direct manipulation gestures.

Gestures are reported as signals in frame pixel coordinates (`joint_dragged`, `gaze_dragged`,
`face_wheel`), or for the camera of an image set or a selected viewpoint layer in fractions
of the viewer's width (`orbit_dragged`, `dolly_wheel`); `studio.manipulation` and
`studio.viewpoint_drag` turn them into undo commands, so this widget never changes the
document. Convention: frame coordinates are pixels of the full-resolution decoded
frame, x right, y down; preview images at a lower resolution are drawn stretched onto them.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QTransform, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from studio import overlays as ov
from studio.state import AppState
from studio.viewpoint_drag import orbits_camera

PICK_RADIUS_SCREEN = 12.0


class Viewer(QWidget):
    joint_dragged = Signal(int, QPointF)  # joint index, target point (frame px)
    gaze_dragged = Signal(int, QPointF)  # iris (0 subject's left, 1 right), its target (frame px)
    face_wheel = Signal(int)  # wheel steps over the face (+ up)
    frame_shown = Signal(int)  # a preview for this frame was painted
    orbit_dragged = Signal(float, float, bool)  # drag so far in viewer widths (x, y down), Shift: dolly
    orbit_ended = Signal()
    dolly_wheel = Signal(int)  # wheel steps (+ up) while the camera is what the viewer moves

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.flags = ov.OverlayFlags()
        self.original: QImage | None = None
        self.edited: QImage | None = None
        self.shown_frame = -1
        self.show_edit = True  # before/after toggle
        self.split = False  # original | edited side by side on one frame
        self.split_pos = 0.5
        self.zoom = 1.0
        self.pan = QPointF(0.0, 0.0)
        self._drag: tuple[str, int, QPointF, QPointF] | None = None  # kind, joint, start, current
        self._pan_from: QPointF | None = None
        self._orbit: tuple[QPointF, bool] | None = None  # press (widget px), Shift held: dolly
        self._mask: tuple[int, QImage | None] | None = None
        self._handles: tuple[tuple, tuple] | None = None  # (frame, timeline, tracks) -> (iris, joints)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        state.tracks_changed.connect(self.update)
        state.clip_changed.connect(self._reset_view)

    # -- content -------------------------------------------------------------------------
    def set_images(self, frame: int, original: QImage, edited: QImage | None) -> None:
        self.original, self.edited, self.shown_frame = original, edited, frame
        self.update()
        self.frame_shown.emit(frame)

    def set_overlay(self, name: str, on: bool) -> None:
        setattr(self.flags, name, on)
        self.update()

    def set_show_edit(self, on: bool) -> None:
        self.show_edit = on
        self.update()

    def set_split(self, on: bool) -> None:
        self.split = on
        self.update()

    def _reset_view(self) -> None:
        self.original = self.edited = None
        self.zoom, self.pan, self._mask = 1.0, QPointF(0.0, 0.0), None
        self.update()

    # -- geometry ------------------------------------------------------------------------
    def frame_size(self) -> tuple[int, int]:
        info = self.state.info
        return (info.width, info.height) if info else (16, 9)

    def transform(self) -> QTransform:
        """Frame px -> widget px: fit, then zoom about the centre, then pan."""
        w, h = self.frame_size()
        fit = min(self.width() / w, self.height() / h)
        s = fit * self.zoom
        t = QTransform()
        t.translate(self.width() / 2 + self.pan.x(), self.height() / 2 + self.pan.y())
        t.scale(s, s)
        t.translate(-w / 2, -h / 2)
        return t

    def to_frame(self, pos: QPointF) -> QPointF:
        inv, _ = self.transform().inverted()
        return inv.map(pos)

    def _pick_radius(self) -> float:
        return PICK_RADIUS_SCREEN / max(self.transform().m11(), 1e-6)

    def fit(self) -> None:
        self.zoom, self.pan = 1.0, QPointF(0.0, 0.0)
        self.update()

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the frame point under `anchor` (widget px) fixed."""
        anchor = anchor if anchor is not None else QPointF(self.width() / 2, self.height() / 2)
        before = self.to_frame(anchor)
        self.zoom = min(max(self.zoom * factor, 0.1), 32.0)
        after = self.transform().map(before)
        self.pan += anchor - after
        self.update()

    # -- painting ------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(24, 24, 27))
        if self.original is None:
            p.setPen(QColor(140, 140, 150))
            msg = (
                "Open a clip (File > Open, or drop a video here)" if not self.state.is_open else "Loading..."
            )
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, msg)
            return
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setTransform(self.transform())
        self._paint_images(p)
        self._paint_overlays(p)
        p.end()

    def _paint_images(self, p: QPainter) -> None:
        w, h = self.frame_size()
        target = QRectF(0, 0, w, h)
        after = self.edited if (self.edited is not None and self.show_edit) else self.original
        if not self.split or self.edited is None:
            p.drawImage(target, after)
            return
        cut = w * self.split_pos
        p.drawImage(QRectF(0, 0, cut, h), self.original, self._src(self.original, 0, self.split_pos))
        p.drawImage(QRectF(cut, 0, w - cut, h), self.edited, self._src(self.edited, self.split_pos, 1.0))
        pen = p.pen()
        pen.setColor(QColor(255, 255, 255))
        pen.setCosmetic(True)
        pen.setWidthF(2.0)
        p.setPen(pen)
        p.drawLine(QPointF(cut, 0), QPointF(cut, h))

    @staticmethod
    def _src(img: QImage, a: float, b: float) -> QRectF:
        return QRectF(img.width() * a, 0, img.width() * (b - a), img.height())

    def _paint_overlays(self, p: QPainter) -> None:
        tracks, t = self.state.tracks, self.shown_frame
        if tracks is None:
            return
        if self.flags.person_mask:
            img = self._mask_for(t)
            if img is not None:
                w, h = self.frame_size()
                p.drawImage(QRectF(0, 0, w, h), img)
        iris, joints = self.handles()
        ov.paint_face(p, tracks, t, self.flags, iris)
        ov.paint_body(p, tracks, t, self.flags, joints)
        if self._drag is not None:
            ov.paint_drag_line(p, self._drag[2], self._drag[3])

    def handles(self) -> tuple:
        """(iris (2, 2), joints (33, 4)) of the shown frame where the edits put them (None where
        not tracked): what the overlays draw and the gestures grab."""
        from render_core.edits.handles import edited_iris, edited_joints

        st, t = self.state, self.shown_frame
        key = (t, st.timeline, st.tracks)
        if self._handles is None or any(a is not b for a, b in zip(self._handles[0], key, strict=True)):
            iris = edited_iris(st.tracks, t, self.frame_size(), st.timeline)
            self._handles = (key, (iris, edited_joints(st.tracks, t, st.timeline)))
        return self._handles[1]

    def _mask_for(self, t: int) -> QImage | None:
        if self._mask is None or self._mask[0] != t:
            w, h = self.frame_size()
            self._mask = (t, ov.mask_image(self.state.tracks, t, (max(1, w // 2), max(1, h // 2))))
        return self._mask[1]

    # -- gestures ------------------------------------------------------------------------
    def mousePressEvent(self, e: QMouseEvent) -> None:
        pos = self.to_frame(e.position())
        if e.button() == Qt.MouseButton.MiddleButton or (
            e.button() == Qt.MouseButton.LeftButton and e.modifiers() & Qt.KeyboardModifier.AltModifier
        ):
            self._pan_from = e.position()
            return
        if e.button() != Qt.MouseButton.LeftButton:
            return
        r = self._pick_radius()
        iris, joints = self.handles() if self.state.tracks is not None else (None, None)
        joint = ov.nearest_joint(joints, pos.x(), pos.y(), r) if self.flags.skeleton else None
        eye = ov.nearest_iris(iris, pos.x(), pos.y(), r) if self.flags.iris else None
        if eye is not None:  # an iris wins over the pose's eye points beside it
            self._drag = ("gaze", eye, QPointF(float(iris[eye, 0]), float(iris[eye, 1])), pos)
        elif joint is not None:
            self._drag = ("joint", joint, QPointF(float(joints[joint, 0]), float(joints[joint, 1])), pos)
        elif orbits_camera(self.state) and not self._near_split(pos):
            shift = bool(e.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._orbit = (e.position(), shift)
        elif self.split and self.edited is not None:
            self._set_split_from(pos)

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self._pan_from is not None:
            self.pan += e.position() - self._pan_from
            self._pan_from = e.position()
            self.update()
        elif self._drag is not None:
            kind, joint, start, _ = self._drag
            self._drag = (kind, joint, start, self.to_frame(e.position()))
            self.update()
        elif self._orbit is not None:
            self._emit_orbit(e.position())
        elif self.split and e.buttons() & Qt.MouseButton.LeftButton:
            self._set_split_from(self.to_frame(e.position()))

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        self._pan_from = None
        if self._orbit is not None:
            self._emit_orbit(e.position())
            self._orbit = None
            self.orbit_ended.emit()
            return
        if self._drag is None:
            return
        kind, joint, start, _ = self._drag
        end = self.to_frame(e.position())
        self._drag = None
        self.update()
        if (end - start).manhattanLength() < 1e-3:
            return
        if kind == "joint":
            self.joint_dragged.emit(joint, end)
        else:
            self.gaze_dragged.emit(joint, end)

    def _emit_orbit(self, pos: QPointF) -> None:
        start, dolly = self._orbit
        d = pos - start
        if d.manhattanLength() >= 1.0:
            width = max(1, self.width())
            self.orbit_dragged.emit(d.x() / width, d.y() / width, dolly)

    def _near_split(self, pos: QPointF) -> bool:
        """Whether a press at `pos` (frame px) grabs the split view's dividing line."""
        if not (self.split and self.edited is not None):
            return False
        return abs(pos.x() - self.frame_size()[0] * self.split_pos) <= self._pick_radius()

    def _set_split_from(self, pos: QPointF) -> None:
        self.split_pos = min(max(pos.x() / self.frame_size()[0], 0.02), 0.98)
        self.update()

    def wheelEvent(self, e: QWheelEvent) -> None:
        steps = e.angleDelta().y() // 120 or (
            1 if e.angleDelta().y() > 0 else -1 if e.angleDelta().y() else 0
        )
        if steps == 0:
            return
        pos = self.to_frame(e.position())
        ctrl = e.modifiers() & Qt.KeyboardModifier.ControlModifier
        if not ctrl and orbits_camera(self.state):
            self.dolly_wheel.emit(int(steps))
        elif not ctrl and ov.over_face(self.state.tracks, self.shown_frame, pos.x(), pos.y()):
            self.face_wheel.emit(int(steps))
        else:
            self.zoom_by(1.15**steps, e.position())
        e.accept()
