"""A layer's place in time is edited like a clip's in a video editor: drag a bar's end to trim
it, its middle to move it with its keyframes, or type the range; each gesture is one undo step.
A driven layer's offset picks the driving frame that plays at the layer's first frame."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from render_core.edits.layer import EditLayer
from render_core.edits.params import ExpressionParams, ReenactFaceParams
from studio import commands as C


def _bar_point(timeline, row: int, frame: float) -> QPoint:
    y = timeline.row_top(row) + 12
    return QPoint(round(timeline.frame_to_x(frame)), y)


def _drag(qtbot, widget, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    mid = QPoint((start.x() + end.x()) // 2, start.y())
    for p in (mid, end):
        qtbot.mouseMove(widget, p)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


def test_drag_trims_and_moves_a_layer_in_one_undo_step_each(opened, qtbot):
    st, tl = opened.state, opened.timeline
    tl.resize(1000, 200)
    keys = {10: ExpressionParams(smile=0.3), 30: ExpressionParams(smile=0.6)}
    layer = EditLayer("expression", 10, 40, keys)
    st.undo_stack.push(C.AddLayer(st, layer))
    steps = st.undo_stack.count()

    _drag(qtbot, tl, _bar_point(tl, 0, 40.5), _bar_point(tl, 0, 55))
    trimmed = st.timeline.layer(layer.id)
    assert (trimmed.start, trimmed.end) == (10, 55) and st.frame == 55  # the playhead shows the new end
    assert st.undo_stack.count() == steps + 1 and st.undo_stack.text(steps) == "Trim expression end"

    _drag(qtbot, tl, _bar_point(tl, 0, 9.5), _bar_point(tl, 0, 20))
    assert (st.timeline.layer(layer.id).start, st.timeline.layer(layer.id).end) == (20, 55)

    _drag(qtbot, tl, _bar_point(tl, 0, 35), _bar_point(tl, 0, 30))
    moved = st.timeline.layer(layer.id)
    assert (moved.start, moved.end, list(moved.keyframes)) == (15, 50, [5, 25])  # keyframes travel along
    assert st.undo_stack.count() == steps + 3 and st.undo_stack.text(steps + 2) == "Move expression"
    st.undo_stack.undo()
    assert st.timeline.layer(layer.id) == trimmed.with_changes(start=20)
    for _ in range(2):
        st.undo_stack.undo()
    assert st.timeline.layer(layer.id) == layer
    _drag(qtbot, tl, _bar_point(tl, 0, 30), _bar_point(tl, 0, 33))  # on a diamond: the key moves
    assert list(st.timeline.layer(layer.id).keyframes) == [10, 33]
    assert (st.timeline.layer(layer.id).start, st.timeline.layer(layer.id).end) == (10, 40)


def test_dragging_a_whole_clip_layer_scrubs(opened, qtbot):
    st, tl = opened.state, opened.timeline
    tl.resize(1000, 200)
    layer = opened.inspector.add_layer("gaze")  # spans the whole clip: nothing to move
    st.set_frame(0)
    _drag(qtbot, tl, _bar_point(tl, 0, 20), _bar_point(tl, 0, 33))
    assert st.frame == 33 and st.timeline.layer(layer.id) == layer


def test_inspector_types_the_range_and_the_driving_offset(opened, qtbot, clip_path):
    st, insp = opened.state, opened.inspector
    layer = insp.add_layer("expression")
    steps = st.undo_stack.count()
    for v in (3, 4, 5):  # spin box arrow clicks
        insp.start_spin.setValue(v)
    insp.end_spin.setValue(30)
    assert (st.timeline.layer(layer.id).start, st.timeline.layer(layer.id).end) == (5, 30)
    assert st.undo_stack.count() == steps + 2  # one step per spin box
    insp.start_spin.setValue(50)  # past the end: the layer keeps one frame
    assert st.timeline.layer(layer.id).start == 30
    assert not insp.offset_spin.isVisibleTo(insp)

    driven = insp.add_layer("reenact_face")
    st.undo_stack.push(C.SetKeyframe(st, driven.id, 0, ReenactFaceParams(1.0)))
    insp.choose_driving_clip(clip_path)
    qtbot.waitUntil(lambda: "driving_clip" in st.timeline.layer(driven.id).settings, timeout=60_000)
    assert insp.offset_spin.isVisibleTo(insp) and insp.offset_spin.maximum() == st.frame_count - 1
    insp.offset_spin.setValue(12)
    assert st.timeline.layer(driven.id).settings["offset"] == 12
    assert st.timeline.layer(driven.id).settings["driving_clip"]  # the rest of the settings stay
    st.undo_stack.undo()
    assert st.timeline.layer(driven.id).settings.get("offset", 0) == 0 and insp.offset_spin.value() == 0


def test_a_shorter_driving_clip_ends_the_layer_where_its_performance_ends(opened, qtbot, clip_path, tmp_path):
    import subprocess

    import imageio_ffmpeg

    short = tmp_path / "short.mp4"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(clip_path), "-frames:v", "40",
           "-c:v", "libx264", "-an", str(short)]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=60)
    st, insp = opened.state, opened.inspector
    layer = insp.add_layer("reenact_face")
    insp.start_spin.setValue(10)
    insp.choose_driving_clip(short)
    qtbot.waitUntil(lambda: "driving_clip" in st.timeline.layer(layer.id).settings, timeout=60_000)
    assert (st.timeline.layer(layer.id).start, st.timeline.layer(layer.id).end) == (10, 49)
    st.undo_stack.undo()  # one step: the clip and the new end go together
    assert st.timeline.layer(layer.id).end == st.frame_count - 1
    assert "driving_clip" not in st.timeline.layer(layer.id).settings


def test_timecode_is_hours_minutes_seconds_frames():
    from studio.timeline_rows import timecode

    assert timecode(90, 30.0) == "00:00:03:00"
    assert timecode(29, 29.97) == "00:00:00:29"  # non-drop-frame at the rounded rate
    assert timecode(25 * 3661 + 7, 25.0) == "01:01:01:07"
