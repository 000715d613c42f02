import pytest

from render_core.edits import params as P
from render_core.errors import InputError


def test_every_kind_has_specs_with_bounds_and_zero_default():
    for kind, cls in P.PARAMS.items():
        specs = P.param_specs(cls)
        assert specs, kind
        for s in specs:
            assert s.min < s.max and s.min <= s.default <= s.max and s.step > 0 and s.label


def test_expression_specs_are_unit_range():
    specs = {s.name: s for s in P.param_specs(P.ExpressionParams)}
    assert set(specs) == {"jaw_open", "smile", "brow_raise", "brow_furrow", "blink_left", "blink_right",
                          "mouth_wide", "pucker"}  # fmt: skip
    assert all((s.min, s.max) == (-1.0, 1.0) for s in specs.values())
    assert {s.unit for s in P.param_specs(P.HeadPoseParams)} == {"deg", "%"}


def test_validate_accepts_strings_and_rejects_out_of_range():
    p = P.validate(P.ExpressionParams, {"jaw_open": "0.8", "smile": -1})
    assert p.jaw_open == 0.8 and p.smile == -1.0 and p.pucker == 0.0
    with pytest.raises(InputError, match=r"jaw_open=3 is out of range -1..1"):
        P.validate(P.ExpressionParams, {"jaw_open": 3})
    with pytest.raises(InputError, match="unknown ExpressionParams field 'jaw'"):
        P.validate(P.ExpressionParams, {"jaw": 0.1})
    with pytest.raises(InputError, match="not a number"):
        P.validate(P.GazeParams, {"horizontal": "left"})
    with pytest.raises(InputError, match="unknown edit kind"):
        P.params_class("morph")


def test_lerp_add_clamp_and_json_round_trip():
    a, b = P.GazeParams(horizontal=10.0), P.GazeParams(horizontal=20.0, vertical=-10.0)
    m = P.lerp(a, b, 0.25)
    assert m.horizontal == pytest.approx(12.5) and m.vertical == pytest.approx(-2.5)
    s = P.clamp(P.add_scaled(b, b, 1.0))
    assert s.horizontal == 35.0 and s.vertical == -20.0
    assert P.from_json("gaze", P.to_json(b)) == b
    assert P.to_json(P.GazeParams()) == {}
    with pytest.raises(TypeError):
        P.lerp(a, P.ExpressionParams(), 0.5)


def test_viewpoint_kind_has_camera_params():
    assert P.params_class(P.EditKind.VIEWPOINT) is P.ViewpointParams
    names = [s.name for s in P.param_specs(P.ViewpointParams)]
    assert names == ["orbit_yaw", "orbit_pitch", "distance", "roll", "fov"]
    assert P.param_specs(P.ViewpointParams)[0].max == 180.0  # a full orbit either way
