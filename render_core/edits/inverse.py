"""Inverse edits for direct manipulation: which params put a point where the user dragged it.

- `joint_rotation_delta`: the change of one body_pose angle that turns a joint toward a drop
  point (bone lengths stay exact because the edit remains the forward kinematics of
  `body_ops.apply_body_pose`).
- `solve_gaze`: the gaze offset that moves a point (one grabbed iris, see `edits.handles`)
  to a drop point, by a few Gauss-Newton steps on the forward edit (`face_ops.edit_face`),
  kept inside the gaze's bounds.

Convention: points are frame px (x right, y down); angles in degrees (params units). Left-side
body params turn counter-clockwise on screen, right-side ones and the neck clockwise (see
`BodyPoseParams`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from render_core.edits import body_ops
from render_core.edits.params import GazeParams, clamp


def driving_param(joint: int) -> str | None:
    """The BodyPoseParams field whose rotation moves `joint` most directly (its parent joint)."""
    if joint in body_ops.HEAD_POINTS:
        return "neck"
    owners = [(len(moved), name) for name, (_pivot, moved) in body_ops.CHAINS.items() if joint in moved]
    return min(owners)[1] if owners else None


def screen_angle_deg(v: np.ndarray) -> float:
    """Counter-clockwise angle on screen of a (x, y-down) vector, degrees."""
    return math.degrees(math.atan2(-float(v[1]), float(v[0])))


def joint_rotation_delta(joints: np.ndarray, joint: int, target: np.ndarray, name: str) -> float:
    """Change of param `name` (degrees, its sign convention) turning `joint` toward `target`.

    joints: (33, 4) edited joints of the frame; target: (2,) px."""
    xy = np.asarray(joints, np.float64)[:, :2]
    pivot = 0.5 * (xy[11] + xy[12]) if name == "neck" else xy[body_ops.CHAINS[name][0]]
    d = screen_angle_deg(np.asarray(target, np.float64) - pivot) - screen_angle_deg(xy[joint] - pivot)
    d = (d + 180.0) % 360.0 - 180.0
    return d if name.startswith("left_") else -d


def solve_gaze(
    forward: Callable[[GazeParams], np.ndarray], target: np.ndarray, start: GazeParams, iters: int = 6
) -> GazeParams:
    """Gauss-Newton on (horizontal, vertical): `forward(GazeParams) -> (2,) px` toward target."""
    g = _clamped(np.array([start.horizontal, start.vertical], np.float64))
    for _ in range(iters):
        p0 = forward(GazeParams(*g))
        r = np.asarray(target, np.float64) - p0
        if np.hypot(*r) < 0.25:
            break
        J = np.stack([(forward(GazeParams(*(g + e))) - p0) for e in np.eye(2)], axis=1)  # px per deg
        step, *_ = np.linalg.lstsq(J, r, rcond=None)
        g = _clamped(g + np.clip(step, -20.0, 20.0))  # stay where the params mean something
    return clamp(GazeParams(*g))


def _clamped(g: np.ndarray) -> np.ndarray:
    c = clamp(GazeParams(*g))
    return np.array([c.horizontal, c.vertical], np.float64)
