import numpy as np
import pytest

from render_core.edits import face_regions as R
from render_core.edits.expression import apply_expression
from render_core.edits.face_frame import face_frame
from render_core.edits.face_ops import apply_gaze, apply_head_pose, edit_face, eye_geometry
from render_core.edits.params import ExpressionParams, GazeParams, HeadPoseParams

E = ExpressionParams


def _coords(points, fr):
    """(N, 3) -> face coordinates (left, up, out) in eye spans."""
    return (np.asarray(points, np.float64) - fr.centre) @ np.stack([fr.left, fr.up, fr.out], 1) / fr.size


def _eye_gap(p, fr, upper, lower):
    c = _coords(p, fr)
    return float(np.mean(c[list(upper), 1] - c[list(lower), 1]))


def test_face_frame_axes_on_canonical(neutral_head):
    fr = face_frame(neutral_head)
    # canonical head space: x = subject's left, y down, nose at smallest z
    assert fr.left[0] > 0.99 and fr.up[1] < -0.95 and fr.out[2] < -0.95
    assert 8.0 < fr.size < 10.5  # cm


def test_jaw_open_opens_inner_lips_and_drops_chin(neutral_head):
    fr = face_frame(neutral_head)
    out = apply_expression(neutral_head, E(jaw_open=1.0), neutral_head)
    c0, c1 = _coords(neutral_head, fr), _coords(out, fr)
    gap0, gap1 = c0[13, 1] - c0[14, 1], c1[13, 1] - c1[14, 1]
    assert gap1 - gap0 > 0.2  # > 0.2 eye spans (~2 cm)
    assert c1[R.CHIN, 1] < c0[R.CHIN, 1] - 0.3
    np.testing.assert_allclose(
        out[list(R.UPPER_LIP + R.NOSE)], neutral_head[list(R.UPPER_LIP + R.NOSE)], atol=1e-6
    )
    closed = apply_expression(out, E(jaw_open=-1.0), neutral_head)
    c2 = _coords(closed, fr)
    assert abs(c2[13, 1] - c2[14, 1]) < 0.02


def test_blink_left_closes_only_the_subjects_left_eye(neutral_head):
    fr = face_frame(neutral_head)
    out = apply_expression(neutral_head, E(blink_left=1.0), neutral_head)
    g_left0 = _eye_gap(neutral_head, fr, R.LEFT_UPPER_LID, R.LEFT_LOWER_LID)
    assert g_left0 > 0.05
    assert abs(_eye_gap(out, fr, R.LEFT_UPPER_LID, R.LEFT_LOWER_LID)) < 1e-6
    right = list(R.RIGHT_EYE + R.RIGHT_EYEBROW)
    np.testing.assert_allclose(out[right], neutral_head[right], atol=1e-5)
    wide = apply_expression(neutral_head, E(blink_right=-1.0), neutral_head)
    assert (
        _eye_gap(wide, fr, R.RIGHT_UPPER_LID, R.RIGHT_LOWER_LID)
        > _eye_gap(neutral_head, fr, R.RIGHT_UPPER_LID, R.RIGHT_LOWER_LID) + 0.04
    )


def test_smile_raises_and_widens_mouth_corners(neutral_head):
    fr = face_frame(neutral_head)
    c0 = _coords(neutral_head, fr)
    c1 = _coords(apply_expression(neutral_head, E(smile=1.0), neutral_head), fr)
    left, right = R.MOUTH_CORNER_LEFT[0], R.MOUTH_CORNER_RIGHT[0]
    assert c1[left, 1] - c0[left, 1] > 0.08 and c1[right, 1] - c0[right, 1] > 0.08
    assert (c1[left, 0] - c1[right, 0]) - (c0[left, 0] - c0[right, 0]) > 0.1
    assert abs(c1[13, 1] - c0[13, 1]) < 1e-9  # pinned midline


@pytest.mark.parametrize(
    ("control", "check"),
    [
        ("brow_raise", lambda c0, c1: c1[105, 1] - c0[105, 1] > 0.08 and c1[334, 1] - c0[334, 1] > 0.08),
        ("brow_furrow", lambda c0, c1: (c1[336, 0] - c1[107, 0]) < (c0[336, 0] - c0[107, 0]) - 0.08),
        ("mouth_wide", lambda c0, c1: (c1[291, 0] - c1[61, 0]) > (c0[291, 0] - c0[61, 0]) + 0.14),
        (
            "pucker",
            lambda c0, c1: (c1[291, 0] - c1[61, 0]) < (c0[291, 0] - c0[61, 0]) - 0.1 and c1[0, 2] > c0[0, 2],
        ),
        ("blink_right", lambda c0, c1: c1[159, 1] < c0[159, 1] - 0.05),
    ],
)
def test_other_controls_move_their_region_the_right_way(neutral_head, control, check):
    fr = face_frame(neutral_head)
    out = apply_expression(neutral_head, E(**{control: 1.0}), neutral_head)
    assert check(_coords(neutral_head, fr), _coords(out, fr))
    np.testing.assert_array_equal(out[list(R.IRIS)], neutral_head[list(R.IRIS)].astype(np.float32))


def test_head_pose_yaw_turns_the_nose_toward_the_subjects_right(face_state, neutral_head):
    fr = face_frame(neutral_head)
    pose = apply_head_pose(face_state.head_pose, HeadPoseParams(yaw=20.0), fr)
    angle = np.degrees(np.arccos((np.trace(pose[:3, :3]) - 1) / 2))
    assert angle == pytest.approx(20.0, abs=1e-6)
    edited = edit_face(face_state, neutral_head, {"head_pose": HeadPoseParams(yaw=20.0)})
    nose_shift = edited.landmarks[R.NOSE_TIP, 0] - face_state.landmarks[R.NOSE_TIP, 0]
    assert nose_shift < -5.0  # px toward the image left = subject's right (tracker's +yaw)
    centre_cam = face_state.head_pose[:3, :3] @ fr.centre + face_state.head_pose[:3, 3]
    np.testing.assert_allclose(pose[:3, :3] @ fr.centre + pose[:3, 3], centre_cam, atol=1e-5)
    up = edit_face(face_state, neutral_head, {"head_pose": HeadPoseParams(ty=50.0)})
    dy = up.landmarks[:, 1] - face_state.landmarks[:, 1]
    expected = -0.5 * fr.size * face_state.focal / face_state.head_pose[2, 3]  # px at the head's depth
    assert np.all(dy < 0) and np.median(dy) == pytest.approx(expected, rel=0.15)


def test_gaze_moves_iris_the_right_way(face_state, neutral_head):
    fr = face_frame(neutral_head)
    eyes = eye_geometry(neutral_head, fr, face_state.head_pose, face_state.focal, face_state.principal)
    moved = apply_gaze(face_state.iris, eyes, GazeParams(horizontal=20.0, vertical=10.0))
    d = moved - face_state.iris
    assert np.all(d[:, 0] > 1.0) and np.all(d[:, 1] < -0.5)  # image right (subject's left) and up
    r_px = 0.135 * fr.size * face_state.focal / face_state.head_pose[2, 3]
    assert d[0, 0] == pytest.approx(r_px * np.sin(np.radians(20)), rel=0.1)
    edited = edit_face(face_state, neutral_head, {"gaze": GazeParams(horizontal=-15.0)})
    assert np.all(edited.iris[:, 0] < face_state.iris[:, 0])
    ring_shift = edited.landmarks[474:478, 0] - face_state.landmarks[474:478, 0]
    assert np.all(ring_shift < 0)
    np.testing.assert_allclose(edited.landmarks[:468], face_state.landmarks[:468], atol=1e-3)


def test_edit_face_without_edits_is_identity(face_state, neutral_head):
    same = edit_face(face_state, neutral_head, {})
    np.testing.assert_allclose(same.landmarks, face_state.landmarks, atol=1e-3)
    np.testing.assert_allclose(same.iris, face_state.iris, atol=1e-4)
