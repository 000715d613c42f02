"""A dragged joint is drawn, and grabbed again, where the edit put it; a pose keyed by a drag
acts only over the frames where the person faces as at the keyed frame."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt


def _drag(qtbot, viewer, start: QPointF, end: QPointF) -> None:
    qtbot.mousePress(viewer, Qt.MouseButton.LeftButton, pos=start.toPoint())
    qtbot.mouseMove(viewer, pos=QPoint(int((start.x() + end.x()) / 2), int((start.y() + end.y()) / 2)))
    qtbot.mouseMove(viewer, pos=end.toPoint())
    qtbot.mouseRelease(viewer, Qt.MouseButton.LeftButton, pos=end.toPoint())


def _body_frame(win, qtbot) -> int:
    st = win.state
    t = int(np.flatnonzero(st.tracks.body.valid)[0]) + 2
    st.set_frame(t)
    qtbot.waitUntil(lambda: win.viewer.shown_frame == t, timeout=10_000)
    return t


def _on_screen(viewer, joint: int) -> QPointF:
    x, y = viewer.handles()[1][joint, :2]
    return viewer.transform().map(QPointF(float(x), float(y)))


def test_a_moved_joint_can_be_grabbed_again(opened, qtbot):
    st, viewer = opened.state, opened.viewer
    t = _body_frame(opened, qtbot)
    nose = _on_screen(viewer, 0)
    _drag(qtbot, viewer, nose, nose + QPointF(20.0, 0.0))
    layer = next(ly for ly in st.timeline.layers if ly.kind == "body_pose")
    first = layer.keyframes[t].neck
    moved = _on_screen(viewer, 0)
    assert (moved - nose).manhattanLength() > 5.0  # the handle is drawn on the edited head
    _drag(qtbot, viewer, moved, moved + QPointF(20.0, 0.0))  # grabbed there, dragged on
    layer = st.timeline.layer(layer.id)
    assert len(st.timeline.layers) == 1 and layer.keyframes[t].neck > first + 1.0


def test_a_dragged_pose_stops_where_the_person_turns_around(opened, qtbot):
    st, viewer = opened.state, opened.viewer
    body = st.tracks.body
    turn = len(body) - 8
    joints = body.joints.copy()
    joints[turn:, [11, 12]] = joints[turn:, [12, 11]]  # the back to the camera from `turn` on
    st.set_tracks(replace(st.tracks, body=replace(body, joints=joints)))
    t = _body_frame(opened, qtbot)
    messages = []
    opened.manipulator.message.connect(messages.append)
    nose = _on_screen(viewer, 0)
    _drag(qtbot, viewer, nose, nose + QPointF(20.0, 0.0))
    layer = next(ly for ly in st.timeline.layers if ly.kind == "body_pose")
    assert layer.start <= t < layer.end < turn and list(layer.keyframes) == [t]
    assert st.timeline.evaluate(turn + 2).get("body_pose") is None  # the turned frames untouched
    assert messages and f"-{layer.end}" in messages[0]
