"""Head rotation within what a 2D warp can show: beyond a calibrated turn out of the image plane
away from the source frame's pose, the warp folds the far cheek over itself and tears the face
from its ear and hair, so that part of the edited rotation (yaw and pitch, the swing about the
camera axis) is damped with a soft knee, so motion stays smooth; roll, a rotation in the image
plane, is what a 2D warp does exactly and is never damped.

Calibration (d18, d9 frontal frames, yaw 10-40 / pitch 20 / roll 30 edits, contact sheet): at
10 deg the warp reads as a real turn; at 20 deg the far ear starts to smear and the jaw line
flattens; at 30 deg the ear is cut and the face shears off the head; roll 30 holds. The knee
starts at `KNEE_DEG`, the out-of-plane turn never exceeds `LIMIT_DEG`.

Convention: FaceState as in render.types (landmarks px, head_pose (4, 4) camera-from-head).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from render_core.edits.face_frame import face_frame
from render_core.edits.reenact import rotation_power
from render_core.geometry.head_space import from_head_space, to_head_space
from render_core.states import FaceState

LIMIT_DEG = 20.0
KNEE_DEG = 12.0


def _swing(face: FaceState, edit: FaceState) -> tuple[np.ndarray, np.ndarray]:
    """The edited rotation relative to the tracked one, in camera axes, split into (swing,
    twist): twist about the camera's viewing axis (roll), swing the out-of-plane rest."""
    from scipy.spatial.transform import Rotation

    r_cam = np.asarray(edit.head_pose, np.float64)[:3, :3] @ np.asarray(face.head_pose, np.float64)[:3, :3].T
    x, y, z, w = Rotation.from_matrix(r_cam).as_quat()
    n = float(np.hypot(w, z))
    twist = Rotation.from_quat([0.0, 0.0, z / n, w / n] if n > 1e-9 else [0.0, 0.0, 0.0, 1.0]).as_matrix()
    return r_cam @ twist.T, twist


def _angle(r: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip((np.trace(r) - 1.0) / 2.0, -1.0, 1.0))))


def turn_deg(face: FaceState, edit: FaceState) -> float:
    """Out-of-plane angle (deg) of the edited head rotation relative to the tracked one."""
    return _angle(_swing(face, edit)[0])


def damped_angle(angle: float, knee: float = KNEE_DEG, limit: float = LIMIT_DEG) -> float:
    """Identity up to `knee`, then a tanh knee approaching `limit`."""
    if angle <= knee:
        return angle
    return knee + (limit - knee) * float(np.tanh((angle - knee) / (limit - knee)))


def damp_turn(
    face: FaceState, edit: FaceState, knee: float = KNEE_DEG, limit: float = LIMIT_DEG
) -> FaceState:
    """`edit` with its out-of-plane rotation relative to `face` damped (the same expression and
    roll, the head turned less about its own centre); unchanged when within the knee."""
    swing, twist = _swing(face, edit)
    angle = _angle(swing)
    target = damped_angle(angle, knee, limit)
    if target >= angle - 1e-6:
        return edit
    pose = np.asarray(edit.head_pose, np.float64)
    head = to_head_space(edit.landmarks, pose, edit.focal, edit.principal).astype(np.float64)
    r_cur = np.asarray(face.head_pose, np.float64)[:3, :3]
    r_new = rotation_power(swing, target / angle) @ twist @ r_cur
    centre = face_frame(head).centre
    out = np.eye(4)
    out[:3, :3] = r_new
    out[:3, 3] = pose[:3, :3] @ centre + pose[:3, 3] - r_new @ centre
    landmarks = from_head_space(head, out, edit.focal, edit.principal)
    idx = [473, 468]
    shift = landmarks[idx, :2] - np.asarray(edit.landmarks, np.float32)[idx, :2]
    iris = np.asarray(edit.iris, np.float32) + shift
    return replace(edit, landmarks=landmarks, head_pose=out.astype(np.float32), iris=iris.astype(np.float32))
