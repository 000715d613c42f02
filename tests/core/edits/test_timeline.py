import pytest

from render_core.edits.keyframes import Interpolation, interpolate, span
from render_core.edits.layer import EditLayer
from render_core.edits.params import ExpressionParams, GazeParams, ReenactFaceParams
from render_core.edits.timeline import EditTimeline, edit_hash
from render_core.errors import InputError

E = ExpressionParams


def _kf(*pairs):
    return {f: E(jaw_open=v) for f, v in pairs}


@pytest.mark.parametrize(
    ("mode", "frame", "expected"),
    [
        ("hold", 5, 0.0), ("hold", 10, 1.0), ("linear", 5, 0.5), ("linear", 2, 0.2),
        ("smooth", 5, 0.5), ("smooth", 2, 0.104), ("smooth", 8, 0.896),
        ("linear", -3, 0.0), ("linear", 99, 1.0),
    ],
)  # fmt: skip
def test_interpolation_known_values(mode, frame, expected):
    kfs = _kf((0, 0.0), (10, 1.0))
    assert interpolate(kfs, frame, Interpolation(mode)).jaw_open == pytest.approx(expected)


def test_span_brackets():
    assert span(_kf((0, 0.0), (10, 1.0)), 4) == (0, 10)
    assert span(_kf((0, 0.0), (10, 1.0)), 10) == (10, None)


def _layer(start, end, kfs, **kw):
    return EditLayer("expression", start, end, kfs, interpolation=Interpolation.LINEAR, **kw)


def test_evaluate_overlapping_layers_add_with_weights_and_respect_ranges():
    a = _layer(0, 20, _kf((0, 0.4)), name="a")
    b = _layer(10, 30, _kf((10, 0.4)), weight=0.5, name="b")
    tl = EditTimeline().add_layer(a).add_layer(b)
    assert tl.evaluate(5)["expression"].jaw_open == pytest.approx(0.4)
    assert tl.evaluate(15)["expression"].jaw_open == pytest.approx(0.6)
    assert tl.evaluate(25)["expression"].jaw_open == pytest.approx(0.2)
    assert tl.evaluate(31) == {}
    c = _layer(0, 30, _kf((0, 0.9)))
    assert tl.add_layer(c).evaluate(15)["expression"].jaw_open == 1.0  # clamped to the bound
    assert tl.update_layer(b.id, enabled=False).evaluate(15)["expression"].jaw_open == pytest.approx(0.4)
    assert tl.edited_ranges() == [(0, 30)]


def test_non_additive_kind_takes_topmost_layer_with_its_settings():
    r1 = EditLayer("reenact_face", 0, 10, {0: ReenactFaceParams(1.0)}, settings={"driving_clip": "d1"})
    r2 = EditLayer(
        "reenact_face", 5, 10, {5: ReenactFaceParams(0.8)}, weight=0.5, settings={"driving_clip": "d2"}
    )
    tl = EditTimeline((r1, r2))
    assert tl.evaluate(7)["reenact_face"].strength == pytest.approx(0.4)
    assert tl.settings(7, "reenact_face")["driving_clip"] == "d2"
    assert tl.settings(2, "reenact_face")["driving_clip"] == "d1"


def test_operations_are_pure_and_keyframes_move():
    layer = _layer(0, 50, _kf((0, 0.0), (10, 1.0)))
    tl = EditTimeline((layer,))
    tl2 = tl.set_keyframe(layer.id, 20, E(jaw_open=0.5)).move_keyframe(layer.id, 10, 30)
    assert sorted(tl.layer(layer.id).keyframes) == [0, 10]
    assert sorted(tl2.layer(layer.id).keyframes) == [0, 20, 30]
    assert tl2.remove_keyframe(layer.id, 20).layer(layer.id).keyframes[30].jaw_open == 1.0
    g = EditLayer("gaze", 0, 5, {0: GazeParams(5.0)})
    tl3 = tl.add_layer(g).move_layer(g.id, 0)
    assert [x.kind for x in tl3.layers] == ["gaze", "expression"]
    assert tl3.remove_layer(g.id) == tl
    with pytest.raises(KeyError):
        tl.remove_keyframe(layer.id, 7)
    with pytest.raises(InputError):
        _layer(10, 5, {})


def test_edit_hash_changes_only_for_affected_frames():
    a = _layer(0, 100, _kf((10, 0.2), (20, 0.4), (40, 0.4)))
    tl = EditTimeline((a,))
    tl2 = tl.set_keyframe(a.id, 30, E(jaw_open=0.9))  # changes only frames 21..39
    changed = [f for f in range(0, 120) if edit_hash(tl, f) != edit_hash(tl2, f)]
    assert changed == list(range(21, 40))
    assert edit_hash(tl, 101) == edit_hash(EditTimeline(), 0)
    assert edit_hash(tl, 50) == edit_hash(EditTimeline.from_json(tl.to_json()), 50)


def test_json_round_trip_and_bad_json():
    layers = (
        _layer(0, 9, _kf((0, 0.3), (9, -0.2)), name="talk"),
        EditLayer("gaze", 3, 7, {3: GazeParams(vertical=4.0)}, interpolation="hold", enabled=False),
        EditLayer(
            "reenact_face",
            0,
            5,
            {0: ReenactFaceParams(1.0)},
            settings={"driving_clip": "d", "channels": []},
        ),
    )
    tl = EditTimeline(layers)
    assert EditTimeline.from_json(tl.to_json()) == tl
    bad = tl.to_json()
    bad["layers"][0]["keyframes"][0]["params"]["jaw_open"] = 5
    with pytest.raises(InputError, match="layer talk: jaw_open=5 is out of range"):
        EditTimeline.from_json(bad)


def test_in_out_marks_set_uncross_survive_layer_edits_and_round_trip():
    a = _layer(0, 50, _kf((10, 0.2)))
    tl = EditTimeline((a,)).with_mark("in", 12, last=99)
    assert tl.in_out == (12, 99) and tl.marked_range(100) == (12, 100)
    tl = tl.with_mark("out", 40, last=99)
    assert tl.in_out == (12, 40) and tl.marked_range(100) == (12, 41)
    assert tl.with_mark("in", 60, last=99).in_out == (60, 99)  # past the out: out to the end
    assert tl.with_mark("out", 5, last=99).in_out == (0, 5)  # before the in: in to the start
    kept = tl.set_keyframe(a.id, 30, E(jaw_open=0.5)).add_layer(_layer(0, 9, _kf((0, 0.1))))
    assert kept.in_out == (12, 40)  # layer edits keep the marks
    assert all(edit_hash(tl, f) == edit_hash(tl.without_marks(), f) for f in (0, 10, 30))
    assert EditTimeline.from_json(tl.to_json()) == tl and tl.to_json()["in_out"] == [12, 40]
    assert "in_out" not in tl.without_marks().to_json()  # files without marks stay as they were
    assert tl.without_marks().marked_range(100) == (0, 100)
    assert EditTimeline(in_out=(90, 95)).marked_range(50) == (49, 50)  # clipped to a shorter clip
    for bad in ([3], [4, 2], ["1", 2], [-1, 3]):
        with pytest.raises(InputError, match="in_out|in/out"):
            EditTimeline.from_json({"layers": [], "in_out": bad})


def test_shifting_a_layer_moves_its_range_and_keyframes_never_before_zero():
    a = _layer(10, 40, _kf((10, 0.2), (30, 0.6)))
    tl = EditTimeline((a,))
    moved = tl.shift_layer(a.id, 15).layer(a.id)
    assert (moved.start, moved.end, list(moved.keyframes)) == (25, 55, [25, 45])
    assert moved.value_at(45).jaw_open == pytest.approx(0.6) and moved.value_at(20) is None
    early = tl.shift_layer(a.id, -50).layer(a.id)
    assert (early.start, early.end, list(early.keyframes)) == (0, 30, [0, 20])
    assert tl.shift_layer(a.id, 0) == tl


def test_trimming_a_layer_keeps_at_least_one_frame():
    a = _layer(10, 40, _kf((10, 0.2)))
    assert (a.trimmed("start", 25).start, a.trimmed("end", 25).end) == (25, 25)
    assert (a.trimmed("start", 90).start, a.trimmed("end", 3).end) == (40, 10)  # never past the other end
    with pytest.raises(ValueError):
        a.trimmed("middle", 5)
