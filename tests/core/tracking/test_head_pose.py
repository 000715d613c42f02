import numpy as np
import pytest

from render_core.geometry.canonical_face import canonical_face
from render_core.geometry.head_space import from_head_space, to_head_space
from render_core.geometry.rotations import euler_to_matrix, matrix_to_euler, rotation_angle
from render_core.tracking.head_pose import default_focal, fit_head_pose, principal_point, rigid_indices

W, H = 640, 480


def _pose(yaw_deg: float, pitch_deg: float, roll_deg: float, t=(2.0, -1.0, 45.0)) -> np.ndarray:
    P = np.eye(4)
    P[:3, :3] = euler_to_matrix(*np.radians([yaw_deg, pitch_deg, roll_deg]))
    P[:3, 3] = t
    return P


@pytest.mark.parametrize("ypr", [(0, 0, 0), (25, -10, 5), (-35, 15, -20), (10, 25, 30)])
def test_recovers_known_rotation_within_2_degrees(ypr):
    """The issue's 'done when': project the canonical face with a known pose, recover it."""
    rng = np.random.default_rng(0)
    focal, pp = default_focal(W, H), principal_point(W, H)
    truth = _pose(*ypr)
    face = canonical_face().astype(np.float64)
    face[:300] += rng.normal(0, 0.15, size=(300, 3))  # a different subject's face, roughly
    px = from_head_space(face, truth, focal, pp)
    px[:, :2] += rng.normal(0, 0.7, size=(478, 2))  # tracker noise, px
    est = fit_head_pose(px, focal, pp)
    assert np.degrees(rotation_angle(est[:3, :3], truth[:3, :3])) < 2.0
    np.testing.assert_allclose(est[:3, 3], truth[:3, 3], rtol=0.05, atol=0.5)


def test_yaw_sign_convention():
    """Positive yaw turns the nose toward the image's left (-x)."""
    focal, pp = default_focal(W, H), principal_point(W, H)
    px = from_head_space(canonical_face(), _pose(20, 0, 0, (0, 0, 45)), focal, pp)
    assert px[4, 0] < pp[0] - 5  # nose tip moved left of the image centre
    yaw, pitch, roll = matrix_to_euler(fit_head_pose(px, focal, pp)[:3, :3])
    assert np.degrees(yaw) == pytest.approx(20, abs=0.5) and abs(np.degrees(pitch)) < 0.5


def test_head_space_gives_back_the_face():
    focal, pp = default_focal(W, H), principal_point(W, H)
    face = canonical_face()
    px = from_head_space(face, _pose(-15, 8, 4), focal, pp)
    back = to_head_space(px, fit_head_pose(px, focal, pp), focal, pp)
    np.testing.assert_allclose(back, face, atol=0.05)


def test_rigid_points_exclude_mouth_and_eyes():
    idx = set(rigid_indices().tolist())
    assert {13, 14, 61, 291, 152, 159, 145, 468, 473}.isdisjoint(idx)
    assert {1, 4, 6, 10}.issubset(idx) and len(idx) > 150
