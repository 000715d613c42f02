import numpy as np
import pytest

from render_core.geometry.cameras import look_at, rotation_about
from render_core.geometry.path_smoothing import PathSmoother, aim_at

UP = np.array([0.0, -1.0, 0.0])  # OpenCV-style world: y down
RADIUS = 4.0


def orbit(n: int, noise: float = 0.0, roll_deg: float = 0.0, seed: int = 0) -> np.ndarray:
    """OpenCV camera-to-world (n, 4, 4) on a circle about the origin at a fixed height, looking
    at it; positions jittered by `noise` and rolls by `roll_deg` (standard deviations)."""
    rng = np.random.default_rng(seed)
    out = []
    for a in np.linspace(0, 2 * np.pi, n, endpoint=False):
        m = look_at(np.array([RADIUS * np.sin(a), -0.5, RADIUS * np.cos(a)]), np.zeros(3), UP)
        m[:3, 3] += rng.normal(0.0, noise, 3)
        m[:3, :3] = m[:3, :3] @ rotation_about(
            np.array([0.0, 0.0, 1.0]), np.radians(rng.normal(0.0, roll_deg))
        )
        out.append(m)
    return np.stack(out)


def jitter(positions: np.ndarray) -> float:
    """Mean length of the second differences (N-2,) of positions (N, 3)."""
    return float(np.linalg.norm(np.diff(positions, 2, axis=0), axis=1).mean())


def roll_deg(c2w: np.ndarray) -> np.ndarray:
    """Each camera's roll (degrees) against the level camera at its place looking the same way."""
    level = np.stack([look_at(m[:3, 3], m[:3, 3] + m[:3, 2], UP) for m in c2w])
    cos = np.einsum("ni,ni->n", level[:, :3, 0], c2w[:, :3, 0])
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


@pytest.mark.parametrize("n", [12, 60])
def test_a_steady_orbit_is_left_as_it_is(n):
    """Even a sparse one: smoothing distance and azimuth does not pull an orbit inward."""
    clean = orbit(n)
    out = PathSmoother(clean, np.zeros(3), UP, sigma=3.0).camera_to_world(np.arange(n, dtype=float))
    np.testing.assert_allclose(out, clean, atol=1e-9)


def test_smoothing_a_shaky_walk_around_removes_the_jitter_and_stays_on_it():
    n, noise = 120, 0.05
    clean, shaky = orbit(n), orbit(n, noise=noise, roll_deg=2.0)
    out = PathSmoother(shaky, np.zeros(3), UP, sigma=3.0).camera_to_world(np.arange(n, dtype=float))
    assert jitter(out[:, :3, 3]) < jitter(shaky[:, :3, 3]) / 5
    off = np.linalg.norm(out[:, :3, 3] - clean[:, :3, 3], axis=1)  # the ends, fitted to fewer views, most
    assert off.mean() < noise and off.max() < 3 * noise
    assert np.abs(np.diff(roll_deg(out), 2)).mean() < np.abs(np.diff(roll_deg(shaky), 2)).mean() / 5
    # every smoothed camera looks straight at the subject's centre
    to_centre = -out[:, :3, 3] / np.linalg.norm(out[:, :3, 3], axis=1, keepdims=True)
    np.testing.assert_allclose(np.einsum("ni,ni->n", out[:, :3, 2], to_centre), 1.0, atol=1e-9)


def test_constant_speed_spaces_the_cameras_evenly_along_an_uneven_walk():
    angles = np.cumsum(np.r_[0.0, np.where(np.arange(40) < 20, 0.02, 0.12)])  # slow, then fast
    c2w = np.stack([look_at(RADIUS * np.array([np.sin(a), 0.0, np.cos(a)]), np.zeros(3), UP) for a in angles])
    smoother = PathSmoother(c2w, np.zeros(3), UP, sigma=1.0)
    s = smoother.constant_speed(50)
    assert s[0] == 0.0 and s[-1] == pytest.approx(len(c2w) - 1)
    steps = np.linalg.norm(np.diff(smoother.positions(s), axis=0), axis=1)
    assert steps.std() < 0.02 * steps.mean()
    index_steps = np.linalg.norm(np.diff(smoother.positions(np.linspace(0, 40, 50)), axis=0), axis=1)
    assert index_steps.std() > 0.3 * index_steps.mean()  # the capture's own pace is uneven


def test_a_camera_that_does_not_move_gives_an_even_index():
    c2w = np.repeat(look_at(np.array([0.0, 0.0, -4.0]), np.zeros(3), UP)[None], 5, 0)
    np.testing.assert_allclose(PathSmoother(c2w, np.zeros(3), UP).constant_speed(9), np.linspace(0, 4, 9))


def test_aim_turns_the_least_and_keeps_roll():
    rot = look_at(np.array([0.0, 0.0, -4.0]), np.array([0.5, 0.0, 0.0]), UP)[:3, :3]
    rolled = rot @ rotation_about(np.array([0.0, 0.0, 1.0]), 0.3)
    out = aim_at(rolled, np.array([0.0, 0.0, -4.0]), np.zeros(3))
    np.testing.assert_allclose(out[:, 2], [0.0, 0.0, 1.0], atol=1e-12)
    # the roll about the viewing axis is what it was
    level = look_at(np.array([0.0, 0.0, -4.0]), np.zeros(3), UP)[:3, :3]
    assert np.degrees(np.arccos(level[:, 0] @ out[:, 0])) == pytest.approx(np.degrees(0.3), abs=0.5)
