import numpy as np
import pytest

from render_core.edits.body_ops import apply_body_pose
from render_core.edits.face_ops import edit_face
from render_core.edits.inverse import driving_param, joint_rotation_delta, solve_gaze
from render_core.edits.params import BodyPoseParams, GazeParams
from tests.core.edits.test_body_ops import _standing


def _direction(v):
    return v / np.linalg.norm(v)


@pytest.mark.parametrize("joint, target", [(16, (60.0, 160.0)), (15, (330.0, 100.0)), (14, (100.0, 120.0))])
def test_dragged_joint_ends_on_the_ray_to_the_drop_point(joint, target):
    j = _standing()
    name = driving_param(joint)
    delta = joint_rotation_delta(j, joint, np.array(target), name)
    out = apply_body_pose(j, BodyPoseParams(**{name: delta}))
    pivot = {"right_shoulder": 12, "left_shoulder": 11, "right_elbow": 14, "left_elbow": 13}[name]
    want = _direction(np.array(target) - j[pivot, :2])
    got = _direction(out[joint, :2] - out[pivot, :2])
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_driving_params_are_the_parent_joints():
    assert driving_param(16) == "right_elbow" and driving_param(14) == "right_shoulder"
    assert driving_param(0) == "neck"


def test_gaze_solve_puts_the_irises_at_the_target(face_state, neutral_head):
    forward = lambda g: edit_face(face_state, neutral_head, {"gaze": g}).iris.mean(axis=0).astype(np.float64)
    start = forward(GazeParams())
    target = start + np.array([3.0, -2.0])
    g = solve_gaze(forward, target, GazeParams())
    assert np.linalg.norm(forward(g) - target) < 0.3
    assert g.horizontal != 0.0 and g.vertical != 0.0
