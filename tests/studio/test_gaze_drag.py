"""Dragging one iris sets the gaze that puts that iris under the cursor: the eyes turn with the
drag (right drag right, left drag left, a short drag a small angle), and the iris handles are
drawn, and grabbed again, where the edited eyes are."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from render_core.edits.handles import edited_iris
from studio import commands as C


def _drag(qtbot, viewer, start: QPointF, end: QPointF) -> None:
    qtbot.mousePress(viewer, Qt.MouseButton.LeftButton, pos=start.toPoint())
    qtbot.mouseMove(viewer, pos=QPoint(int((start.x() + end.x()) / 2), int(start.y())))
    qtbot.mouseMove(viewer, pos=end.toPoint())
    qtbot.mouseRelease(viewer, Qt.MouseButton.LeftButton, pos=end.toPoint())


def _face_frame(win, qtbot) -> int:
    st = win.state
    t = int(np.flatnonzero(st.tracks.face.valid)[len(st.tracks.face.valid) // 3])
    st.set_frame(t)
    qtbot.waitUntil(lambda: win.viewer.shown_frame == t, timeout=10_000)
    return t


def _iris_on_screen(viewer, eye: int) -> QPointF:
    x, y = viewer.handles()[0][eye]
    return viewer.transform().map(QPointF(float(x), float(y)))


def test_iris_drag_turns_the_eyes_with_the_drag(opened, qtbot):
    st, viewer = opened.state, opened.viewer
    t = _face_frame(opened, qtbot)
    size = (st.info.width, st.info.height)
    tracked = st.tracks.face.iris[t].astype(np.float64)
    scale = viewer.transform().m11()  # screen px per frame px
    results = {}
    for name, dx_frame in (("right", 1.0), ("left", -0.6)):
        st.undo_stack.clear()
        for layer in st.timeline.layers:
            st.undo_stack.push(C.RemoveLayer(st, layer.id))
        start = _iris_on_screen(viewer, 0)
        end = start + QPointF(dx_frame * scale, 0.0)
        _drag(qtbot, viewer, start, end)
        layer = next(ly for ly in st.timeline.layers if ly.kind == "gaze")
        gaze = layer.keyframes[t]
        iris = edited_iris(st.tracks, t, size, st.timeline)
        target = viewer.to_frame(QPointF(end.toPoint()))
        results[name] = (gaze, iris)
        assert abs(gaze.horizontal) < 35.0  # a short drag is not the clamp
        assert np.hypot(iris[0, 0] - target.x(), iris[0, 1] - target.y()) < 0.35  # under the cursor
        moved = iris[:, 0] - tracked[:, 0]
        assert np.all(np.sign(moved) == np.sign(dx_frame))  # both eyes turn the drag's way
    assert np.sign(results["right"][0].horizontal) == -np.sign(results["left"][0].horizontal)
    assert abs(results["right"][0].horizontal) > abs(results["left"][0].horizontal)


def test_iris_handles_follow_the_edited_eyes_and_can_be_grabbed_again(opened, qtbot):
    st, viewer = opened.state, opened.viewer
    t = _face_frame(opened, qtbot)
    scale = viewer.transform().m11()
    first = _iris_on_screen(viewer, 1)
    _drag(qtbot, viewer, first, first + QPointF(0.8 * scale, 0.0))
    shown = viewer.handles()[0]
    assert np.allclose(shown, edited_iris(st.tracks, t, (st.info.width, st.info.height), st.timeline))
    assert shown[1, 0] - st.tracks.face.iris[t, 1, 0] > 0.5  # the handle moved with the eye
    again = _iris_on_screen(viewer, 1)  # grab it where it is drawn now, drag further
    _drag(qtbot, viewer, again, again + QPointF(0.4 * scale, 0.0))
    layer = next(ly for ly in st.timeline.layers if ly.kind == "gaze")
    assert len(st.timeline.layers) == 1 and viewer.handles()[0][1, 0] > shown[1, 0] + 0.2
    assert layer.keyframes[t].horizontal != 0.0
