"""Dragging in the viewer orbits the camera of an image set: one drag is one viewpoint
keyframe at the playhead (azimuth from the horizontal, elevation from the vertical motion,
180 degrees across the viewer) and one undo step; Shift+drag and the wheel dolly."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent

from render_core.edits.params import ViewpointParams
from studio import commands as C
from studio.viewpoint_drag import ORBIT_DEG_ACROSS, WHEEL_DOLLY_PCT, dragged_params, orbits_camera


def _drag(qtbot, viewer, start: QPoint, end: QPoint, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.mousePress(viewer, Qt.MouseButton.LeftButton, modifier, start)
    qtbot.mouseMove(viewer, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    qtbot.mouseMove(viewer, end)
    qtbot.mouseRelease(viewer, Qt.MouseButton.LeftButton, modifier, end)


def _wheel(viewer, dy: int, mods=Qt.KeyboardModifier.NoModifier) -> None:
    pos = QPointF(viewer.width() / 2, viewer.height() / 2)
    ev = QWheelEvent(pos, viewer.mapToGlobal(pos), QPoint(), QPoint(0, dy), Qt.MouseButton.NoButton, mods,
                     Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    viewer.wheelEvent(ev)


def _viewpoint_layers(state):
    return [ly for ly in state.timeline.layers if ly.kind == "viewpoint"]


def test_a_drag_keys_azimuth_and_elevation_in_one_undo_step(opened_image_set, qtbot):
    win = opened_image_set
    st, viewer = win.state, win.viewer
    st.set_frame(40)
    steps, width = st.undo_stack.count(), viewer.width()
    centre = QPoint(viewer.width() // 2, viewer.height() // 2)
    _drag(qtbot, viewer, centre, centre + QPoint(90, 30))
    assert st.undo_stack.count() == steps + 1
    (layer,) = _viewpoint_layers(st)
    assert list(layer.keyframes) == [40] and (layer.start, layer.end) == (0, st.frame_count - 1)
    key = layer.keyframes[40]
    assert key.orbit_yaw == pytest.approx(-ORBIT_DEG_ACROSS * 90 / width)  # the subject turns right
    assert key.orbit_pitch == pytest.approx(ORBIT_DEG_ACROSS * 30 / width)  # seen from higher up
    assert (key.distance, key.roll, key.fov) == (0.0, 0.0, 0.0)
    st.undo_stack.undo()
    assert _viewpoint_layers(st) == []  # the layer the drag added goes with its key


def test_a_second_drag_goes_on_from_the_first_and_undoes_alone(opened_image_set, qtbot):
    st, viewer = opened_image_set.state, opened_image_set.viewer
    centre, width = QPoint(viewer.width() // 2, viewer.height() // 2), viewer.width()
    _drag(qtbot, viewer, centre, centre + QPoint(-60, 0))
    _drag(qtbot, viewer, centre, centre + QPoint(-60, 0))
    (layer,) = _viewpoint_layers(st)
    assert layer.keyframes[0].orbit_yaw == pytest.approx(2 * ORBIT_DEG_ACROSS * 60 / width)
    st.undo_stack.undo()
    (layer,) = _viewpoint_layers(st)
    assert layer.keyframes[0].orbit_yaw == pytest.approx(ORBIT_DEG_ACROSS * 60 / width)


def test_shift_drag_and_the_wheel_dolly(opened_image_set, qtbot):
    st, viewer = opened_image_set.state, opened_image_set.viewer
    centre = QPoint(viewer.width() // 2, viewer.height() // 2)
    _drag(qtbot, viewer, centre, centre + QPoint(0, 40), Qt.KeyboardModifier.ShiftModifier)
    (layer,) = _viewpoint_layers(st)
    away = layer.keyframes[0]
    assert away.distance > 0 and away.orbit_yaw == away.orbit_pitch == 0.0
    steps, zoom = st.undo_stack.count(), viewer.zoom
    for _ in range(2):  # two notches toward the screen: closer, one undo step
        _wheel(viewer, 120)
    assert st.undo_stack.count() == steps + 1 and viewer.zoom == zoom
    assert st.timeline.layer(layer.id).keyframes[0].distance == pytest.approx(
        away.distance - 2 * WHEEL_DOLLY_PCT
    )
    _wheel(viewer, 120, Qt.KeyboardModifier.ControlModifier)  # Ctrl+wheel still zooms the view
    assert viewer.zoom > zoom and st.undo_stack.count() == steps + 1


def test_a_drag_keys_the_selected_viewpoint_layer_at_the_playhead(opened_image_set, qtbot):
    st, viewer = opened_image_set.state, opened_image_set.viewer
    first = opened_image_set.inspector.add_layer("viewpoint", (0, 59))
    second = opened_image_set.inspector.add_layer("viewpoint", (60, 119))
    st.select_layer(first.id)
    st.undo_stack.push(C.SetKeyframe(st, first.id, 10, ViewpointParams(orbit_pitch=20.0)))
    st.set_frame(10)
    centre = QPoint(viewer.width() // 2, viewer.height() // 2)
    _drag(qtbot, viewer, centre, centre + QPoint(0, -20))
    assert st.timeline.layer(first.id).keyframes[10].orbit_pitch < 20.0  # from the key it had
    assert not st.timeline.layer(second.id).keyframes
    st.set_frame(80)  # the selected layer ends before: the one covering the playhead is keyed
    _drag(qtbot, viewer, centre, centre + QPoint(0, -20))
    assert list(st.timeline.layer(second.id).keyframes) == [80]


def test_the_bounds_hold():
    far = dragged_params(ViewpointParams(orbit_yaw=170.0), -1.0, 5.0, dolly=False)
    assert (far.orbit_yaw, far.orbit_pitch) == (180.0, 60.0)  # stops at the bounds, no wrap


def test_in_a_clip_a_drag_orbits_only_with_a_viewpoint_layer_selected(opened, qtbot):
    st, viewer = opened.state, opened.viewer
    corner = QPoint(6, 6)  # away from every joint and iris
    expression = opened.inspector.add_layer("expression")
    assert not orbits_camera(st)
    steps = st.undo_stack.count()
    _drag(qtbot, viewer, corner, corner + QPoint(60, 0))
    assert st.undo_stack.count() == steps and not _viewpoint_layers(st)
    layer = opened.inspector.add_layer("viewpoint")
    assert orbits_camera(st)
    _drag(qtbot, viewer, corner, corner + QPoint(60, 0))
    assert list(st.timeline.layer(layer.id).keyframes) == [st.frame]
    assert not st.timeline.layer(expression.id).keyframes
