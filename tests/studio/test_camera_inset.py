"""The camera map in the viewer's corner: a marker per captured camera, the path, the grid's
box, and the current camera (the path's, moved by the viewpoint layers) highlighted."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPointF

from render_core.edits.params import ViewpointParams
from studio import commands as C


def _dist(a: QPointF, b: QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())


def test_the_map_marks_every_captured_camera_and_the_path(opened_image_set):
    inset = opened_image_set.camera_map
    assert inset.isVisible()
    marks = inset.marks()
    capture = opened_image_set.state.image_set.capture
    assert len(marks.views) == len(marks.ticks) == len(capture) == 12
    assert marks.path.size() == opened_image_set.state.frame_count
    assert marks.box is not None and 4 <= marks.box.size() <= 6  # the grid's cube from above
    inside = inset.rect().adjusted(1, 1, -1, -1)
    for p in (*marks.views, *marks.path, *marks.box):
        assert inside.contains(p.toPoint())
    assert all(3.0 < _dist(v, t) < 20.0 for v, t in zip(marks.views, marks.ticks, strict=True))


def test_the_current_camera_follows_the_playhead_and_the_edits(opened_image_set):
    st, inset = opened_image_set.state, opened_image_set.camera_map
    marks = inset.marks()
    assert marks.nearest == 0 and _dist(marks.current, marks.views[0]) < 1.0  # the orbit starts there
    st.set_frame(30)  # a quarter of the way round: on another captured camera
    quarter = inset.marks()
    assert quarter.nearest not in (0, 6) and _dist(quarter.current, quarter.views[quarter.nearest]) < 2.0
    assert _dist(quarter.current, quarter.path.at(30)) < 1e-3
    st.set_frame(0)
    layer = opened_image_set.inspector.add_layer("viewpoint")
    st.undo_stack.push(C.SetKeyframe(st, layer.id, 0, ViewpointParams(orbit_yaw=90.0)))
    keyed = inset.marks()
    assert keyed.nearest == quarter.nearest  # swung to where the path is a quarter round
    assert _dist(keyed.current, quarter.current) < 2.0


def test_the_map_is_a_view_choice_and_only_for_image_sets(opened_image_set, qtbot):
    win = opened_image_set
    win.acts["camera_map"].setChecked(False)
    assert not win.camera_map.isVisible()
    win.acts["camera_map"].setChecked(True)
    assert win.camera_map.isVisible()
    assert not win.camera_map.grab().isNull()  # it paints
    assert win.settings.value("view/camera_map") in (True, "true")


@pytest.mark.parametrize("frame", [0, 45])
def test_the_current_tick_points_at_the_subject(opened_image_set, frame):
    st, inset = opened_image_set.state, opened_image_set.camera_map
    st.set_frame(frame)
    marks = inset.marks()
    centre = marks.box.boundingRect().center()  # the grid is centred on the subject
    along = marks.current_tick - marks.current
    to_centre = centre - marks.current
    cos = QPointF.dotProduct(along, to_centre) / (
        math.hypot(along.x(), along.y()) * math.hypot(to_centre.x(), to_centre.y())
    )
    assert cos > 0.95
