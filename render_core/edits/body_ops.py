"""Body pose edit: per-joint rotation offsets in the image plane, by forward kinematics.

Convention: joints (33, 4) MediaPipe Pose order (x px, y px, z relative px, visibility); x
right, y down. A joint's rotation turns every point below it in the chain about that joint,
root first (shoulder, then elbow about its *moved* position, then wrist), so each bone's
image-plane length is preserved exactly; z and visibility ride along unchanged. Sides are
mirrored (see `BodyPoseParams`): left-side joints turn counter-clockwise on screen for
positive values, right-side joints clockwise. The neck turns the head points (0-10) about the
shoulders' midpoint, clockwise on screen for positive values.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from render_core.edits.params import BodyPoseParams

HEAD_POINTS = tuple(range(11))
# joint name -> (pivot index, the points it moves)
CHAINS: dict[str, tuple[int, tuple[int, ...]]] = {
    "left_shoulder": (11, (13, 15, 17, 19, 21)),
    "left_elbow": (13, (15, 17, 19, 21)),
    "left_wrist": (15, (17, 19, 21)),
    "right_shoulder": (12, (14, 16, 18, 20, 22)),
    "right_elbow": (14, (16, 18, 20, 22)),
    "right_wrist": (16, (18, 20, 22)),
    "left_hip": (23, (25, 27, 29, 31)),
    "left_knee": (25, (27, 29, 31)),
    "left_ankle": (27, (29, 31)),
    "right_hip": (24, (26, 28, 30, 32)),
    "right_knee": (26, (28, 30, 32)),
    "right_ankle": (28, (30, 32)),
}
# (pivot, child) pairs whose image-plane length the edit keeps (for tests and callers).
BONES = ((11, 13), (13, 15), (12, 14), (14, 16), (23, 25), (25, 27), (24, 26), (26, 28), (27, 29), (28, 30))


def screen_rotation(ccw_deg: float) -> np.ndarray:
    """(2, 2) matrix turning (x, y-down) vectors counter-clockwise *as seen on screen*."""
    a = np.deg2rad(ccw_deg)
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, s], [-s, c]])


def _rotate(xy: np.ndarray, idx: tuple[int, ...], pivot: np.ndarray, ccw_deg: float) -> None:
    rows = list(idx)
    xy[rows] = (xy[rows] - pivot) @ screen_rotation(ccw_deg).T + pivot


def apply_body_pose(joints: np.ndarray, params: BodyPoseParams) -> np.ndarray:
    """(33, 4) joints with the per-joint rotations applied root to leaf (see module doc).
    Computed in float64, returned in the input's float dtype."""
    dtype = np.asarray(joints).dtype if np.issubdtype(np.asarray(joints).dtype, np.floating) else np.float32
    out = np.array(joints, np.float64, copy=True)
    xy = out[:, :2]
    if params.neck:
        pivot = 0.5 * (xy[11] + xy[12])
        _rotate(xy, HEAD_POINTS, pivot, -params.neck)
    for name in (f.name for f in fields(params)):
        if name == "neck" or name not in CHAINS or getattr(params, name) == 0.0:
            continue
        pivot_idx, moved = CHAINS[name]
        ccw = getattr(params, name) if name.startswith("left_") else -getattr(params, name)
        _rotate(xy, moved, xy[pivot_idx].copy(), ccw)
    return out.astype(dtype)
