from dataclasses import replace

import numpy as np
import pytest

from render_core.edits.params import ViewpointParams
from render_core.edits.viewpoint_ops import (
    apply_viewpoint,
    box_plan,
    nearest_view,
    orbit_path,
    plan_axes,
    steady_path,
    to_plan,
)
from render_core.geometry.cameras import invert_rigid, look_at
from render_core.states import CameraState

UP = np.array([0.0, -1.0, 0.0])  # OpenCV-style world: y down


def _cam() -> CameraState:
    c2w = look_at(np.array([0.0, 0.0, -4.0]), np.zeros(3), UP)
    k = np.array([[50.0, 0, 31.5], [0, 50.0, 31.5], [0, 0, 1]])
    return CameraState(invert_rigid(c2w), k, (64, 64), np.zeros(3), UP)


def _pos(c: CameraState) -> np.ndarray:
    return invert_rigid(c.world_to_camera)[:3, 3]


def _centre_in_camera(c: CameraState) -> np.ndarray:
    return c.world_to_camera[:3, :3] @ np.zeros(3) + c.world_to_camera[:3, 3]


def test_zero_params_leave_the_camera():
    cam = _cam()
    out = apply_viewpoint(cam, ViewpointParams())
    np.testing.assert_allclose(out.world_to_camera, cam.world_to_camera, atol=1e-12)
    np.testing.assert_allclose(out.intrinsics, cam.intrinsics)


def test_orbit_keeps_distance_and_the_centre_on_the_axis():
    out = apply_viewpoint(_cam(), ViewpointParams(orbit_yaw=90.0))
    assert np.linalg.norm(_pos(out)) == pytest.approx(4.0)
    np.testing.assert_allclose(_centre_in_camera(out), [0, 0, 4.0], atol=1e-9)
    # Yaw > 0 swings the camera to its right: its old right axis (+x) points toward the new position.
    assert _pos(out)[0] == pytest.approx(4.0)


def test_pitch_raises_the_camera_and_dolly_moves_it_away():
    up = apply_viewpoint(_cam(), ViewpointParams(orbit_pitch=30.0))
    assert _pos(up) @ UP == pytest.approx(4.0 * np.sin(np.radians(30.0)))
    np.testing.assert_allclose(_centre_in_camera(up), [0, 0, 4.0], atol=1e-9)
    far = apply_viewpoint(_cam(), ViewpointParams(distance=50.0))
    assert np.linalg.norm(_pos(far)) == pytest.approx(6.0)


def test_roll_turns_the_image_and_fov_widens_it():
    rolled = apply_viewpoint(_cam(), ViewpointParams(roll=90.0))
    right = invert_rigid(rolled.world_to_camera)[:3, 0]
    np.testing.assert_allclose(np.abs(right), [0, 1, 0], atol=1e-9)
    wide = apply_viewpoint(_cam(), ViewpointParams(fov=10.0))
    fov0 = 2 * np.arctan(32 / 50.0)
    assert 2 * np.arctan(32 / wide.intrinsics[1, 1]) == pytest.approx(fov0 + np.radians(10.0))


def test_orbit_path_goes_round_at_constant_speed():
    path = orbit_path(_cam(), 8)
    pos = np.stack([_pos(c) for c in path])
    steps = np.linalg.norm(np.diff(np.vstack([pos, pos[:1]]), axis=0), axis=1)
    np.testing.assert_allclose(steps, steps[0])
    np.testing.assert_allclose(np.linalg.norm(pos, axis=1), 4.0)


def _zoomed(cam: CameraState, factor: float) -> CameraState:
    k = cam.intrinsics.copy()
    k[0, 0] *= factor
    k[1, 1] *= factor
    return replace(cam, intrinsics=k)


def test_steady_path_runs_from_the_first_view_to_the_last_aimed_at_the_centre():
    views = [_zoomed(v, 1 + i / 23) for i, v in enumerate(orbit_path(_cam(), 24, degrees=180.0))]
    out = steady_path(views, 47, constant_speed=False)  # two frames a view
    assert len(out) == 47
    np.testing.assert_allclose(_pos(out[0]), _pos(views[0]), atol=1e-9)
    np.testing.assert_allclose(_pos(out[-1]), _pos(views[-1]), atol=1e-9)
    for c in out:
        np.testing.assert_allclose(_centre_in_camera(c)[:2], 0.0, atol=1e-9)
        np.testing.assert_allclose(c.center, 0.0)
        np.testing.assert_allclose(c.up, UP)
    # halfway between two views: the mean of their intrinsics
    np.testing.assert_allclose(out[1].intrinsics, (views[0].intrinsics + views[1].intrinsics) / 2)


def test_the_map_puts_a_camera_below_the_centre_looking_up_the_map():
    cam = _cam()  # at z = -4 looking at the origin, its right is +x
    c2w = invert_rigid(cam.world_to_camera)
    axes = plan_axes(UP, c2w[:3, 2])
    np.testing.assert_allclose(to_plan(_pos(cam), np.zeros(3), axes), [0.0, -4.0], atol=1e-12)
    np.testing.assert_allclose(to_plan(c2w[:3, 0], np.zeros(3), axes), [1.0, 0.0], atol=1e-12)
    swung = apply_viewpoint(cam, ViewpointParams(orbit_yaw=90.0))  # to its right: the map's right
    np.testing.assert_allclose(to_plan(_pos(swung), np.zeros(3), axes), [4.0, 0.0], atol=1e-9)
    raised = apply_viewpoint(cam, ViewpointParams(orbit_pitch=30.0))  # over the centre: nearer it
    assert to_plan(_pos(raised), np.zeros(3), axes)[1] == pytest.approx(-4.0 * np.cos(np.radians(30.0)))


def test_the_map_of_a_straight_down_view_and_of_the_grid_box():
    axes = plan_axes(UP, UP)  # looking straight down: still two ground axes
    np.testing.assert_allclose(axes @ UP, [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(axes, axis=1), [1.0, 1.0])
    box = box_plan(np.array([1.0, 0.0, 0.0]), 0.5, np.zeros(3), plan_axes(UP, np.array([0.0, 0, 1])))
    assert len(box) == 4  # a cube seen along one of its axes is a square
    np.testing.assert_allclose(np.sort(box[:, 0]), [0.5, 0.5, 1.5, 1.5], atol=1e-6)
    np.testing.assert_allclose(np.sort(np.abs(box[:, 1])), [0.5] * 4, atol=1e-6)


def test_the_nearest_captured_view_follows_an_orbit():
    views = orbit_path(_cam(), 8)  # every 45 degrees
    w2c = np.stack([v.world_to_camera for v in views])
    assert nearest_view(w2c, views[3]) == 3
    assert nearest_view(w2c, apply_viewpoint(views[0], ViewpointParams(orbit_yaw=100.0))) == 2
