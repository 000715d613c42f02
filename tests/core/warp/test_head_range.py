"""Head turns beyond what the warp holds are damped out of the image plane, never in it."""

from dataclasses import replace

import numpy as np
import pytest

from render_core.contract import FrameRequest
from render_core.edits.face_frame import face_frame
from render_core.edits.face_ops import apply_head_pose
from render_core.edits.params import HeadPoseParams
from render_core.geometry.head_space import from_head_space
from render_core.render.warp_renderer import WarpRenderer
from render_core.states import FaceState
from render_core.warp.head_range import KNEE_DEG, LIMIT_DEG, damp_turn, turn_deg


@pytest.fixture
def face() -> FaceState:
    from render_core.geometry.canonical_face import canonical_face

    head = np.array(canonical_face(), np.float64)
    pose = np.eye(4)
    pose[:3, 3] = [0.0, 0.0, 60.0]
    lm = from_head_space(head, pose, 600.0, (320.0, 240.0))
    return FaceState(lm, pose.astype(np.float32), lm[[473, 468], :2].copy(), 600.0, (320.0, 240.0))


def _turned(face: FaceState, **kw) -> FaceState:
    from render_core.geometry.head_space import to_head_space

    head = to_head_space(face.landmarks, face.head_pose, face.focal, face.principal)
    pose = apply_head_pose(face.head_pose, HeadPoseParams(**kw), face_frame(head))
    lm = from_head_space(head, pose, face.focal, face.principal)
    return replace(face, landmarks=lm, head_pose=pose.astype(np.float32))


def test_small_turns_and_roll_pass_large_turns_are_capped(face):
    small = _turned(face, yaw=KNEE_DEG - 2)
    assert damp_turn(face, small) is small
    roll = _turned(face, roll=40.0)
    assert damp_turn(face, roll) is roll  # in the image plane: the warp does it exactly
    for yaw in (25.0, 40.0, 80.0):
        out = damp_turn(face, _turned(face, yaw=yaw))
        assert KNEE_DEG < turn_deg(face, out) < LIMIT_DEG + 1e-6
    a, b = (turn_deg(face, damp_turn(face, _turned(face, yaw=y))) for y in (25.0, 40.0))
    assert a < b  # monotonic: a larger asked turn is never shown smaller


def test_renderer_names_the_damped_frames(face):
    frame = np.full((480, 640, 3), 0.5, np.float32)
    r = WarpRenderer()
    for i, yaw in enumerate((5.0, 35.0, 35.0, 5.0, 35.0)):
        r.render(FrameRequest(i, frame, face, _turned(face, yaw=yaw)))
    rep = r.report()
    assert rep["damped_turn_frames"] == 3
    assert "frames 1-2, 4" in rep["warnings"][0]


def test_a_frame_rendered_again_with_a_smaller_turn_is_no_longer_reported(face):
    """The studio keeps one renderer while the user changes an edit: the report follows the
    frames as they render now."""
    frame = np.full((480, 640, 3), 0.5, np.float32)
    r = WarpRenderer()
    for i in range(3):
        r.render(FrameRequest(i, frame, face, _turned(face, yaw=35.0)))
    r.render(FrameRequest(1, frame, face, _turned(face, yaw=5.0)))
    assert r.report()["damped_turn_frames"] == 2
