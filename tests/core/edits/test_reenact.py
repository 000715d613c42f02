from dataclasses import replace

import numpy as np
import pytest

from render_core.edits.expression import apply_expression
from render_core.edits.face_frame import face_frame
from render_core.edits.face_ops import apply_head_pose
from render_core.edits.params import ExpressionParams, HeadPoseParams
from render_core.edits.reenact import FacePair, reenact_face, rotation_power
from render_core.geometry.head_space import from_head_space


def _state(base, head):
    return replace(base, landmarks=from_head_space(head, base.head_pose, base.focal, base.principal))


def test_relative_expression_and_pose_transfer(face_state, neutral_head):
    fr = face_frame(neutral_head)
    driving_neutral = face_state
    opened = apply_expression(neutral_head, ExpressionParams(jaw_open=0.6), neutral_head)
    turned = apply_head_pose(face_state.head_pose, HeadPoseParams(yaw=15.0), fr)
    driving_now = _state(replace(face_state, head_pose=turned.astype(np.float32)), opened)
    # a bigger target (scaled head) keeps its own proportions; the jaw motion scales with it
    target_head = neutral_head * 1.2
    target = _state(face_state, target_head)
    out = reenact_face(FacePair(target, target), FacePair(driving_now, driving_neutral), strength=1.0)
    expected = apply_expression(target_head, ExpressionParams(jaw_open=0.6), target_head)
    angle = np.degrees(np.arccos((np.trace(face_state.head_pose[:3, :3].T @ out.head_pose[:3, :3]) - 1) / 2))
    assert angle == pytest.approx(15.0, abs=0.05)
    back = from_head_space(expected, out.head_pose, out.focal, out.principal)
    np.testing.assert_allclose(out.landmarks[:468, :2], back[:468, :2], atol=0.05)
    half = reenact_face(FacePair(target, target), FacePair(driving_now, driving_neutral), strength=0.5)
    half_angle = np.degrees(
        np.arccos((np.trace(face_state.head_pose[:3, :3].T @ half.head_pose[:3, :3]) - 1) / 2)
    )
    assert half_angle == pytest.approx(7.5, abs=0.05)
    only_gaze = reenact_face(FacePair(target, target), FacePair(driving_now, driving_neutral), 1.0, ("gaze",))
    np.testing.assert_allclose(only_gaze.landmarks[:468], target.landmarks[:468], atol=1e-3)


def test_rotation_power():
    from render_core.geometry.rotations import rot_y

    np.testing.assert_allclose(rotation_power(rot_y(0.8), 0.25), rot_y(0.2), atol=1e-12)
    np.testing.assert_allclose(rotation_power(np.eye(3), 0.5), np.eye(3))


@pytest.mark.parametrize(
    ("start", "offset", "frames", "rate", "expected"),
    [
        (10, 0, 50, 1.0, 59),  # frame for frame: 50 driving frames from output frame 10
        (10, 20, 50, 1.0, 39),  # starting 20 frames into the performance
        (0, 0, 100, 25 / 30, 119),  # a 25 fps performance under 30 fps output lasts longer
        (0, 0, 100, 30 / 25, 82),  # and a 30 fps one under 25 fps shorter
        (5, 60, 50, 1.0, 4),  # the offset is past the clip: nothing to show
    ],
)
def test_last_driven_frame_is_where_the_performance_ends(start, offset, frames, rate, expected):
    from render_core.edits.settings import driving_frame_at, last_driven_frame

    last = last_driven_frame(start, offset, frames, rate)
    assert last == expected
    if last >= start:
        assert driving_frame_at(last, start, offset, rate) <= frames - 1
        assert driving_frame_at(last + 1, start, offset, rate) > frames - 1
