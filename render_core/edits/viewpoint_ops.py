"""Viewpoint edits: a virtual camera moved from a captured one by `ViewpointParams`, and the
one-click paths built from them: an orbit, the captured walk steadied (pure).

Order: dolly along the line to the centre, orbit (yaw about the world's up axis through the
centre, then pitch about the camera's right axis through it), roll about the viewing axis,
then the field of view. Each step keeps the subject's centre where it was in the image (on
the optical axis for an orbit camera).

A top-down map of cameras (`plan_axes`, `to_plan`, `box_plan`) shows where a path runs
among the captured views, seen from above the subject.

Convention: OpenCV camera (x right, y down, z forward); world_to_camera (4, 4); angles in
degrees in the params, radians in the math; intrinsics in pixels of `size`; map coordinates
in world units about the centre, x right and y ahead as seen from above.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np

from render_core.edits.params import ViewpointParams
from render_core.geometry.cameras import invert_rigid, rotation_about
from render_core.geometry.path_smoothing import PathSmoother
from render_core.states import CameraState

STEADY_SIGMA = 3.0  # views: the Gaussian that steadies a walk-around (`steady_path`)

MAX_FOV = math.radians(170.0)


def _frame(cam: CameraState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(camera_to_world, centre, up) with the defaults of `CameraState`."""
    c2w = invert_rigid(np.asarray(cam.world_to_camera, np.float64))
    center = c2w[:3, 3] + c2w[:3, 2] if cam.center is None else np.asarray(cam.center, np.float64)
    up = -c2w[:3, 1] if cam.up is None else np.asarray(cam.up, np.float64)
    return c2w, center, up / np.linalg.norm(up)


def _rotate_about_point(c2w: np.ndarray, rot: np.ndarray, point: np.ndarray) -> np.ndarray:
    out = c2w.copy()
    out[:3, :3] = rot @ c2w[:3, :3]
    out[:3, 3] = rot @ (c2w[:3, 3] - point) + point
    return out


def scaled_fov(k: np.ndarray, height: int, delta: float) -> np.ndarray:
    """K (3, 3) with the vertical field of view widened by `delta` radians (focal rescaled)."""
    fov = 2 * math.atan(0.5 * height / k[1, 1])
    new = min(max(fov + delta, math.radians(1.0)), MAX_FOV)
    s = math.tan(0.5 * fov) / math.tan(0.5 * new)
    out = np.array(k, np.float64, copy=True)
    out[0, 0] *= s
    out[1, 1] *= s
    return out


def apply_viewpoint(cam: CameraState, p: ViewpointParams) -> CameraState:
    """The camera `cam` moved by the viewpoint params `p` (see the module's order)."""
    c2w, center, up = _frame(cam)
    c2w[:3, 3] = center + (c2w[:3, 3] - center) * max(1.0 + p.distance / 100.0, 0.05)
    c2w = _rotate_about_point(c2w, rotation_about(up, math.radians(p.orbit_yaw)), center)
    # Pitch > 0 raises the camera over the centre: a turn about its left axis (-x).
    c2w = _rotate_about_point(c2w, rotation_about(-c2w[:3, 0], math.radians(p.orbit_pitch)), center)
    if p.roll:
        c2w[:3, :3] = c2w[:3, :3] @ rotation_about(np.array([0.0, 0.0, 1.0]), math.radians(p.roll))
    k = np.asarray(cam.intrinsics, np.float64)
    if p.fov:
        k = scaled_fov(k, cam.size[1], math.radians(p.fov))
    return replace(cam, world_to_camera=invert_rigid(c2w), intrinsics=k, center=center, up=up)


def orbit_path(cam: CameraState, frames: int, degrees: float = 360.0) -> list[CameraState]:
    """`frames` cameras swinging `degrees` about the centre from `cam`, at constant speed."""
    return [_yawed(cam, degrees * i / frames) for i in range(frames)]


def _yawed(cam: CameraState, deg: float) -> CameraState:
    c2w, center, up = _frame(cam)
    c2w = _rotate_about_point(c2w, rotation_about(up, math.radians(deg)), center)
    return replace(cam, world_to_camera=invert_rigid(c2w), center=center, up=up)


def steady_path(
    cams: Sequence[CameraState], frames: int, sigma: float = STEADY_SIGMA, constant_speed: bool = True
) -> list[CameraState]:
    """`frames` cameras along the captured cameras `cams` steadied (path_smoothing): positions
    and rotations smoothed with a Gaussian of `sigma` views, each aimed at the subject's
    centre, from the start of the walk to its end; at constant speed (spaced by distance
    along the path), else at the capture's own pace. Intrinsics are interpolated between
    views; the centre and up are the first camera's."""
    _, center, up = _frame(cams[0])
    c2w = invert_rigid(np.stack([np.asarray(c.world_to_camera, np.float64) for c in cams]))
    smoother = PathSmoother(c2w, center, up, sigma)
    s = smoother.constant_speed(frames) if constant_speed else np.linspace(0.0, len(cams) - 1, frames)
    ks = np.stack([np.asarray(c.intrinsics, np.float64) for c in cams])
    lo = np.minimum(np.floor(s).astype(int), len(cams) - 1)
    hi, t = np.minimum(lo + 1, len(cams) - 1), (s - lo)[:, None, None]
    k = (1 - t) * ks[lo] + t * ks[hi]
    return [
        replace(cams[0], world_to_camera=invert_rigid(m), intrinsics=k[i], center=center, up=up)
        for i, m in enumerate(smoother.camera_to_world(s))
    ]


def plan_axes(up: np.ndarray, ahead: np.ndarray) -> np.ndarray:
    """(2, 3) world directions of a top-down map: its x (right) and y (ahead). `ahead` (3,), e.g.
    a camera's viewing direction, is flattened onto the ground (the plane normal to `up`), so
    that camera looks up the map; x = ahead x up is its right. Any ground direction serves
    when `ahead` is vertical."""
    up = np.asarray(up, np.float64) / np.linalg.norm(up)
    flat = np.asarray(ahead, np.float64) - (np.asarray(ahead, np.float64) @ up) * up
    if np.linalg.norm(flat) < 1e-9:
        flat = np.eye(3)[int(np.argmin(np.abs(up)))] - up * up[int(np.argmin(np.abs(up)))]
    flat /= np.linalg.norm(flat)
    return np.stack([np.cross(flat, up), flat])


def to_plan(points: np.ndarray, center: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """World points (..., 3) (or directions, with a zero `center`) -> map coordinates (..., 2)."""
    return (np.asarray(points, np.float64) - np.asarray(center, np.float64)) @ np.asarray(axes).T


def box_plan(center: np.ndarray, radius: float, map_center: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """(K, 2) outline, in map coordinates, of the axis-aligned cube `center` +- `radius` (the
    grid a novel-view model fills) seen from above: the convex hull of its corners."""
    signs = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], np.float64)
    corners = to_plan(np.asarray(center, np.float64) + radius * signs, map_center, axes)
    return cv2.convexHull(corners.astype(np.float32))[:, 0].astype(np.float64)


def nearest_view(world_to_camera: np.ndarray, cam: CameraState) -> int:
    """Index of the captured camera (world_to_camera (N, 4, 4)) standing nearest to `cam`."""
    centres = invert_rigid(np.asarray(world_to_camera, np.float64))[:, :3, 3]
    here = invert_rigid(np.asarray(cam.world_to_camera, np.float64))[:3, 3]
    return int(np.argmin(np.linalg.norm(centres - here, axis=1)))
