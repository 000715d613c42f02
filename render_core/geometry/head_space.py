"""Map face landmarks between image pixels and the head's own 3D frame.

Convention: camera is OpenCV (x right, y down, z forward), pinhole with focal `focal` px and
principal point `principal` = (cx, cy) px (the frame centre). `head_pose` is camera-from-head:
X_cam = R @ X_head + t, with t[2] > 0 the head's distance in head units (the canonical face's
units, centimetres). A landmark's pixel z (MediaPipe's relative depth, in x-pixel scale) gives
its camera depth as t_z + z / s with s = focal / t_z, so the mapping is exactly invertible.
Edits deform faces in head space (where "up" is the face's up whatever the head pose) and map
back with the same or an edited pose.
"""

from __future__ import annotations

import numpy as np


def pixel_scale(head_pose: np.ndarray, focal: float) -> float:
    """Pixels per head unit at the head's depth."""
    return float(focal / head_pose[2, 3])


def to_head_space(
    landmarks: np.ndarray, head_pose: np.ndarray, focal: float, principal: tuple[float, float]
) -> np.ndarray:
    """landmarks: (N, 3) px -> (N, 3) head units. head_pose: (4, 4) camera-from-head."""
    lm = np.asarray(landmarks, np.float64)
    tz = head_pose[2, 3]
    depth = tz + lm[:, 2] * tz / focal
    cam = np.stack(
        [(lm[:, 0] - principal[0]) * depth / focal, (lm[:, 1] - principal[1]) * depth / focal, depth], axis=1
    )
    R, t = head_pose[:3, :3], head_pose[:3, 3]
    return ((cam - t) @ R).astype(np.float32)


def from_head_space(
    points: np.ndarray, head_pose: np.ndarray, focal: float, principal: tuple[float, float]
) -> np.ndarray:
    """points: (N, 3) head units -> (N, 3) px (x, y projected; z relative depth in px)."""
    R, t = head_pose[:3, :3], head_pose[:3, 3]
    cam = np.asarray(points, np.float64) @ R.T + t
    tz = head_pose[2, 3]
    x = focal * cam[:, 0] / cam[:, 2] + principal[0]
    y = focal * cam[:, 1] / cam[:, 2] + principal[1]
    z = (cam[:, 2] - tz) * focal / tz
    return np.stack([x, y, z], axis=1).astype(np.float32)
