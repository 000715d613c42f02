"""Assemble a `FaceTrack` from per-frame landmarks: head pose, iris, neutral, expression.

Convention: landmarks (T, 478, 3) px of the full frame (NaN rows where invalid); principal
point at the frame centre; focal from `head_pose.default_focal` (documented assumption there).
"""

from __future__ import annotations

import numpy as np

from render_core.tracking.expression import K, expression_coefficients, head_space_sequence, neutral_index
from render_core.tracking.face import iris_centres
from render_core.tracking.head_pose import HeadPoseConfig, default_focal, head_poses, principal_point
from render_core.tracking.tracks import FACE_POINTS, FaceTrack


def build_face_track(
    landmarks: np.ndarray,
    valid: np.ndarray,
    width: int,
    height: int,
    cfg: HeadPoseConfig | None = None,
    raw_landmarks: np.ndarray | None = None,
) -> FaceTrack:
    """landmarks: (T, 478, 3) px (smoothed), valid: (T,) bool, frame size in px -> FaceTrack;
    `raw_landmarks` (the same before smoothing) is kept as is."""
    cfg = cfg or HeadPoseConfig()
    valid = np.asarray(valid, bool)
    focal = default_focal(width, height, cfg.focal_scale)
    pp = principal_point(width, height)
    pose = head_poses(landmarks, valid, focal, pp)
    hs = head_space_sequence(landmarks, valid, pose, focal, pp)
    n = neutral_index(hs, valid)
    neutral = hs[n] if n is not None else np.zeros((FACE_POINTS, 3), np.float32)
    expr = expression_coefficients(hs, valid, neutral) if n is not None else np.full((len(valid), K), np.nan)
    iris = iris_centres(landmarks).astype(np.float32)
    return FaceTrack(
        landmarks=landmarks.astype(np.float32),
        valid=valid,
        head_pose=pose,
        focal=focal,
        expression=expr.astype(np.float32),
        iris=iris,
        neutral=neutral.astype(np.float32),
        raw_landmarks=None if raw_landmarks is None else raw_landmarks.astype(np.float32),
    )
