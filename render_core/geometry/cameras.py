"""Camera conventions and placement: LLFF / NeRF poses into OpenCV cameras, the subject's
centre, orbits and look-at.

Convention: OpenCV camera (x right, y down, z forward); `world_to_camera` (4, 4) maps world
points into camera coordinates; `camera_to_world` is its inverse; intrinsics (3, 3) in pixels.
"""

from __future__ import annotations

import numpy as np


def invert_rigid(m: np.ndarray) -> np.ndarray:
    """Inverse of rigid transform(s) (..., 4, 4) without a general matrix inverse."""
    r = m[..., :3, :3]
    t = m[..., :3, 3:]
    out = np.zeros_like(m)
    out[..., :3, :3] = np.swapaxes(r, -1, -2)
    out[..., :3, 3:] = -np.swapaxes(r, -1, -2) @ t
    out[..., 3, 3] = 1.0
    return out


def llff_to_opencv(poses: np.ndarray) -> np.ndarray:
    """LLFF camera-to-world (N, 3, 4), axes [down, right, back] -> OpenCV camera-to-world (N, 4, 4)."""
    c2w = np.tile(np.eye(4), (len(poses), 1, 1))
    c2w[:, :3, 0] = poses[:, :3, 1]  # right
    c2w[:, :3, 1] = poses[:, :3, 0]  # down
    c2w[:, :3, 2] = -poses[:, :3, 2]  # forward = -back
    c2w[:, :3, 3] = poses[:, :3, 3]
    return c2w


def opengl_to_opencv(c2w: np.ndarray) -> np.ndarray:
    """OpenGL / NeRF camera-to-world (N, 4, 4), axes [right, up, back] -> OpenCV (N, 4, 4)."""
    out = np.array(c2w, np.float64, copy=True)
    out[:, :3, 1:3] *= -1.0
    return out


def intrinsics(fx: float, fy: float, cx: float, cy: float) -> np.ndarray:
    """The pinhole matrix K (3, 3) in pixels."""
    return np.array([[fx, 0.0, cx], [0.0, fy, cy], [0.0, 0.0, 1.0]])


def scale_intrinsics(k: np.ndarray, sx: float, sy: float | None = None) -> np.ndarray:
    """K (..., 3, 3) of the same camera with the image resized by (sx, sy) (pixel centres kept)."""
    sy = sx if sy is None else sy
    out = np.array(k, np.float64, copy=True)
    out[..., 0, 0] *= sx
    out[..., 0, 2] = (out[..., 0, 2] + 0.5) * sx - 0.5
    out[..., 1, 1] *= sy
    out[..., 1, 2] = (out[..., 1, 2] + 0.5) * sy - 0.5
    return out


def closest_point_to_axes(c2w: np.ndarray) -> np.ndarray:
    """The point (3,) nearest, in least squares, to every camera's optical axis: where an orbit
    of cameras looks, the subject's centre. c2w: (N, 4, 4) OpenCV."""
    origins = c2w[:, :3, 3]
    dirs = c2w[:, :3, 2] / np.linalg.norm(c2w[:, :3, 2], axis=1, keepdims=True)
    proj = np.eye(3)[None] - dirs[:, :, None] * dirs[:, None, :]
    a = proj.sum(0)
    b = (proj @ origins[:, :, None]).sum(0)[:, 0]
    return np.linalg.lstsq(a, b, rcond=None)[0]


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray) -> np.ndarray:
    """OpenCV camera-to-world (4, 4) at `eye` looking at `target`; `up` is the world's up
    direction (the camera's -y points along it as far as it can)."""
    z = target - eye
    z = z / np.linalg.norm(z)
    x = np.cross(-up, z)
    if np.linalg.norm(x) < 1e-8:
        x = np.cross(z, np.array([1.0, 0.0, 0.0]))
    x = x / np.linalg.norm(x)
    y = np.cross(z, x)
    m = np.eye(4)
    m[:3, 0], m[:3, 1], m[:3, 2], m[:3, 3] = x, y, z, eye
    return m


def rotation_about(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues rotation (3, 3) by `angle` radians about unit `axis` (right-handed)."""
    a = axis / np.linalg.norm(axis)
    k = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * (k @ k)


def mean_up(c2w: np.ndarray) -> np.ndarray:
    """The world's up direction (3,) as the captures saw it: minus the mean camera y axis."""
    up = -c2w[:, :3, 1].mean(0)
    return up / np.linalg.norm(up)
