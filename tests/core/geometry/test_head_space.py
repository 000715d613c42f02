import numpy as np

from render_core.geometry.head_space import from_head_space, to_head_space


def _pose(yaw: float, tz: float) -> np.ndarray:
    c, s = np.cos(yaw), np.sin(yaw)
    P = np.eye(4)
    P[:3, :3] = [[c, 0, s], [0, 1, 0], [-s, 0, c]]
    P[:3, 3] = [1.5, -2.0, tz]
    return P


def test_round_trip_is_exact():
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(478, 3)).astype(np.float32) * 5
    pose, focal, pp = _pose(0.4, 60.0), 800.0, (320.0, 240.0)
    px = from_head_space(pts, pose, focal, pp)
    back = to_head_space(px, pose, focal, pp)
    np.testing.assert_allclose(back, pts, atol=1e-3)


def test_head_origin_projects_to_translation():
    pose, focal, pp = _pose(0.0, 50.0), 500.0, (100.0, 80.0)
    px = from_head_space(np.zeros((1, 3)), pose, focal, pp)[0]
    np.testing.assert_allclose(px, [100 + 500 * 1.5 / 50, 80 - 500 * 2.0 / 50, 0.0], atol=1e-4)
