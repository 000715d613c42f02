import numpy as np
import pytest

from render_core.edits.body_ops import BONES, apply_body_pose
from render_core.edits.params import BodyPoseParams


def _standing() -> np.ndarray:
    """A front-facing person, arms hanging: subject's left on the image right. (33, 4) px."""
    j = np.zeros((33, 4))
    j[:, 3] = 1.0
    j[0:11, :2] = [[200, 100]] * 11
    j[11, :2], j[12, :2] = (240, 160), (160, 160)  # shoulders (left = image right)
    j[13, :2], j[14, :2] = (245, 230), (155, 230)  # elbows
    j[15, :2], j[16, :2] = (248, 295), (152, 295)  # wrists
    for k, (a, b) in enumerate(((17, 18), (19, 20), (21, 22))):
        j[a, :2], j[b, :2] = (250 + k, 310), (150 - k, 310)
    j[23, :2], j[24, :2] = (225, 300), (175, 300)
    j[25, :2], j[26, :2] = (228, 390), (172, 390)
    j[27, :2], j[28, :2] = (230, 470), (170, 470)
    j[29, :2], j[30, :2] = (226, 480), (174, 480)
    j[31, :2], j[32, :2] = (240, 485), (160, 485)
    return j


def _lengths(j):
    return np.array([np.linalg.norm(j[a, :2] - j[b, :2]) for a, b in BONES])


def test_bone_lengths_preserved_under_every_joint():
    j = _standing()
    p = BodyPoseParams(**{n: 37.0 for n in BodyPoseParams.__dataclass_fields__})
    out = apply_body_pose(j, p)
    np.testing.assert_allclose(_lengths(out), _lengths(j), atol=1e-4)
    np.testing.assert_array_equal(out[:, 2:], j[:, 2:])
    out32 = apply_body_pose(j.astype(np.float32), p)
    assert out32.dtype == np.float32
    np.testing.assert_allclose(_lengths(out32), _lengths(j), rtol=1e-5)


@pytest.mark.parametrize(("joint", "wrist"), [("left_shoulder", 15), ("right_shoulder", 16)])
def test_positive_shoulder_raises_that_wrist_and_nothing_else(joint, wrist):
    j = _standing()
    out = apply_body_pose(j, BodyPoseParams(**{joint: 150.0}))
    assert out[wrist, 1] < j[11, 1] - 50  # above the shoulders now
    other = 16 if wrist == 15 else 15
    np.testing.assert_array_equal(out[other], j[other])
    down = apply_body_pose(j, BodyPoseParams(**{joint: 90.0}))
    assert down[wrist, 1] == pytest.approx(j[11, 1], abs=10)  # horizontal arm at shoulder height
    side = 1 if wrist == 15 else -1
    assert side * (down[wrist, 0] - j[wrist, 0]) > 100  # sideways, away from the body


def test_elbow_rotates_about_moved_elbow_and_neck_tilts_head():
    j = _standing()
    out = apply_body_pose(j, BodyPoseParams(left_shoulder=90.0, left_elbow=90.0))
    assert out[15, 1] < out[13, 1] - 60  # forearm points up from the horizontal upper arm
    neck = apply_body_pose(j, BodyPoseParams(neck=30.0))
    assert neck[0, 0] > j[0, 0] + 20  # head toward the subject's left (image right)
    np.testing.assert_array_equal(neck[11:], j[11:])
