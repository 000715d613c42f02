"""Re-track rendered frames for metrics (landmark/pose error of an output against its target).

Convention: frames are uint8 RGB (H, W, 3) in order (one sequence); outputs are in pixels of
those frames, NaN rows where nothing was found. No smoothing: metrics see the raw tracker.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from render_core.tracking.body import BodyTracker, BodyTrackerConfig
from render_core.tracking.face import FaceTracker, FaceTrackerConfig
from render_core.tracking.tracks import BODY_JOINTS, FACE_POINTS


def retrack_face(
    frames: Iterable[np.ndarray], cfg: FaceTrackerConfig | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """-> (landmarks (T, 478, 3) float32 px, valid (T,) bool)."""
    out = []
    with FaceTracker(cfg) as tracker:
        for frame in frames:
            lm = tracker.process(frame)
            out.append(np.full((FACE_POINTS, 3), np.nan, np.float32) if lm is None else lm)
    lms = np.stack(out) if out else np.zeros((0, FACE_POINTS, 3), np.float32)
    return lms, np.isfinite(lms).all(axis=(1, 2))


def retrack_body(
    frames: Iterable[np.ndarray], cfg: BodyTrackerConfig | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """-> (joints (T, 33, 4) float32 (x px, y px, z, visibility), valid (T,) bool); no masks."""
    cfg = cfg or BodyTrackerConfig(segmentation=False)
    out = []
    with BodyTracker(cfg) as tracker:
        for frame in frames:
            joints, _ = tracker.process(frame)
            out.append(np.full((BODY_JOINTS, 4), np.nan, np.float32) if joints is None else joints)
    js = np.stack(out) if out else np.zeros((0, BODY_JOINTS, 4), np.float32)
    return js, np.isfinite(js).all(axis=(1, 2))
