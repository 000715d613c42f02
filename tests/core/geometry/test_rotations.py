import numpy as np
import pytest

from render_core.geometry.rotations import (
    euler_to_matrix,
    fit_similarity,
    matrix_to_euler,
    project_to_rotation,
    rot_y,
    rotation_angle,
)


def test_known_yaw_matrix():
    R = euler_to_matrix(np.pi / 2, 0.0, 0.0)
    np.testing.assert_allclose(R @ [0, 0, 1], [1, 0, 0], atol=1e-12)  # forward -> right
    np.testing.assert_allclose(R @ [0, 0, -1], [-1, 0, 0], atol=1e-12)  # nose -> image left


def test_pitch_and_roll_signs():
    np.testing.assert_allclose(euler_to_matrix(0, 0.3, 0) @ [0, 0, -1], [0, np.sin(0.3), -np.cos(0.3)])
    np.testing.assert_allclose(euler_to_matrix(0, 0, 0.3) @ [0, -1, 0], [np.sin(0.3), -np.cos(0.3), 0])


@pytest.mark.parametrize("ypr", [(0.3, -0.2, 0.1), (-1.2, 0.7, 2.5), (2.9, -1.4, -3.0)])
def test_euler_round_trip(ypr):
    R = euler_to_matrix(*ypr)
    np.testing.assert_allclose(np.linalg.det(R), 1.0)
    np.testing.assert_allclose(matrix_to_euler(R), ypr, atol=1e-9)


def test_gimbal_lock_still_reconstructs_matrix():
    R = euler_to_matrix(0.4, np.pi / 2, 0.2)
    np.testing.assert_allclose(euler_to_matrix(*matrix_to_euler(R)), R, atol=1e-9)


def test_rotation_angle():
    assert rotation_angle(np.eye(3), rot_y(0.5)) == pytest.approx(0.5)
    assert rotation_angle(euler_to_matrix(0.1, 0.2, 0.3), euler_to_matrix(0.1, 0.2, 0.3)) < 1e-6


def test_umeyama_recovers_similarity():
    rng = np.random.default_rng(1)
    src = rng.normal(size=(50, 3))
    R = euler_to_matrix(0.4, -0.3, 1.1)
    dst = 2.5 * src @ R.T + [1.0, -2.0, 3.0]
    sim = fit_similarity(src, dst)
    assert sim.scale == pytest.approx(2.5)
    np.testing.assert_allclose(sim.R, R, atol=1e-9)
    np.testing.assert_allclose(sim.apply(src), dst, atol=1e-9)
    assert fit_similarity(src, dst, with_scale=False).scale == 1.0


def test_project_to_rotation_removes_reflection():
    R = project_to_rotation(np.diag([1.0, 1.0, -1.0]) + 0.01)
    assert np.linalg.det(R) == pytest.approx(1.0)
