"""Head pose per frame: camera-from-head from a rigid fit of the landmarks to the canonical face.

Convention: OpenCV pinhole camera (x right, y down, z forward), principal point at the frame
centre (W/2, H/2) in the landmarks' pixel frame (MediaPipe's normalized x * W), focal in px.
`head_pose` (4, 4): X_cam = R @ X_head + t, head units = the canonical face's centimetres, so
t[2] is the distance to the head centre in cm under the focal assumption. Euler angles (for
display) follow `geometry.rotations` (yaw about y, pitch about x, roll about z).

Focal assumption: a single talking-head clip does not constrain the focal length well (face
shape and distance trade off), so the default is the frame diagonal in px (a 53 degree
diagonal field of view: a normal lens, or a moderately cropped webcam/phone frame), scaled by
`focal_scale`. A wrong focal mostly changes t[2]; rotations barely move.

The fit uses the rigid part of the face (forehead, nose, upper cheeks, temples: above the
upper lip, eyes/brows/irises excluded) so talking, blinking and brow raises do not tilt the
head. PnP (SQPnP) on x, y only; MediaPipe's z enters later through `to_head_space`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

import cv2
import numpy as np

from render_core.geometry.canonical_face import canonical_face


@dataclass(frozen=True)
class HeadPoseConfig:
    """focal = focal_scale * frame diagonal (px)."""

    focal_scale: float = 1.0

    def to_json(self) -> dict:
        return asdict(self)


def default_focal(width: int, height: int, focal_scale: float = 1.0) -> float:
    """Focal length in px: focal_scale * frame diagonal (see the module's focal assumption)."""
    return float(focal_scale * np.hypot(width, height))


def principal_point(width: int, height: int) -> tuple[float, float]:
    """Frame centre in the landmarks' pixel frame."""
    return (width / 2.0, height / 2.0)


@lru_cache(maxsize=1)
def rigid_indices() -> np.ndarray:
    """Indices of mesh points that move little with expression (see module docstring)."""
    from mediapipe.python.solutions import face_mesh_connections as fmc

    movable = set()
    parts = (fmc.FACEMESH_LEFT_EYE, fmc.FACEMESH_RIGHT_EYE)
    parts += (fmc.FACEMESH_LEFT_EYEBROW, fmc.FACEMESH_RIGHT_EYEBROW)
    for part in parts:
        for a, b in part:
            movable.update((a, b))
    p = canonical_face()
    upper_lip_y = p[0, 1]  # landmark 0: the upper lip's midline top
    keep = [i for i in range(468) if i not in movable and p[i, 1] < upper_lip_y - 0.3]
    return np.array(keep, np.int64)


def camera_matrix(focal: float, principal: tuple[float, float]) -> np.ndarray:
    return np.array([[focal, 0.0, principal[0]], [0.0, focal, principal[1]], [0.0, 0.0, 1.0]])


def fit_head_pose(
    landmarks: np.ndarray, focal: float, principal: tuple[float, float], model: np.ndarray | None = None
) -> np.ndarray:
    """landmarks: (478, 3) px -> (4, 4) float32 camera-from-head. model: (478, 3) head-space
    face to fit (default the canonical face; a subject's neutral fits that subject better)."""
    idx = rigid_indices()
    obj = np.asarray(canonical_face() if model is None else model, np.float64)[idx]
    img = np.asarray(landmarks, np.float64)[idx, :2]
    K = camera_matrix(focal, principal)
    ok, rvec, tvec = cv2.solvePnP(obj, img, K, None, flags=cv2.SOLVEPNP_SQPNP)
    if not ok:
        raise RuntimeError("solvePnP failed on a valid face")
    rvec, tvec = cv2.solvePnPRefineLM(obj, img, K, None, rvec, tvec)
    pose = np.eye(4)
    pose[:3, :3] = cv2.Rodrigues(rvec)[0]
    pose[:3, 3] = tvec.ravel()
    return pose.astype(np.float32)


def head_poses(
    landmarks: np.ndarray,
    valid: np.ndarray,
    focal: float,
    principal: tuple[float, float],
    model: np.ndarray | None = None,
) -> np.ndarray:
    """landmarks: (T, 478, 3) px, valid: (T,) -> (T, 4, 4) float32; NaN rows where invalid."""
    out = np.full((len(valid), 4, 4), np.nan, np.float32)
    for t in np.flatnonzero(valid):
        out[t] = fit_head_pose(landmarks[t], focal, principal, model)
    return out
