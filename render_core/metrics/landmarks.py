"""Landmark / joint distance between intended and re-tracked points (pure; no tracking here).

The edit journey is checked by re-tracking the rendered output (render_core.tracking.retrack)
and comparing to the landmarks the edit asked for; the body family compares joints the same
way, with the real frames' distance as the detector's noise floor.

Convention: points are (T, N, 2) or (T, N, 3) float pixels (x right, y down[, z depth]); only
x and y are compared (MediaPipe's z is a relative depth, not pixels). `valid` (T,) bool marks
frames to use (AND of "target exists" and "re-tracking found a face/body").
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from render_core.errors import InputError

# Outer eye corners: MediaPipe face mesh (468 / 478 points with iris) and the iBUG 68-point scheme.
EYE_CORNERS = {478: (33, 263), 468: (33, 263), 68: (36, 45)}

Normalizer = Literal["interocular", "bbox"] | None


def _check(pred: np.ndarray, target: np.ndarray, valid: np.ndarray | None) -> np.ndarray:
    if pred.ndim != 3 or pred.shape[2] not in (2, 3) or pred.shape[:2] != target.shape[:2]:
        shapes = f"{pred.shape} vs {target.shape}"
        raise InputError(None, f"pred and target must be (T, N, 2|3) with one T and N: {shapes}")
    if target.shape[2] not in (2, 3):
        raise InputError(None, f"target must be (T, N, 2|3), got {target.shape}")
    if valid is None:
        return np.ones(pred.shape[0], bool)
    valid = np.asarray(valid, bool)
    if valid.shape != (pred.shape[0],):
        raise InputError(None, f"valid must be ({pred.shape[0]},), got {valid.shape}")
    return valid


def _scale(target: np.ndarray, normalize_by: Normalizer, eye_indices: tuple[int, int] | None) -> np.ndarray:
    """Per-frame length in pixels that distances are divided by: (T',)."""
    if normalize_by == "interocular":
        idx = eye_indices or EYE_CORNERS.get(target.shape[1])
        if idx is None:
            raise InputError(None, f"no eye corners known for {target.shape[1]} points; pass eye_indices")
        return np.linalg.norm(target[:, idx[0]] - target[:, idx[1]], axis=-1)
    if normalize_by == "bbox":
        size = target.max(axis=1) - target.min(axis=1)  # (T', 2)
        return np.sqrt(size[:, 0] * size[:, 1])
    raise InputError(None, f"normalize_by must be 'interocular', 'bbox' or None, got {normalize_by!r}")


def landmark_distance(
    pred: np.ndarray,
    target: np.ndarray,
    valid: np.ndarray | None = None,
    normalize_by: Normalizer = "interocular",
    eye_indices: tuple[int, int] | None = None,
) -> dict:
    """Euclidean 2-D point error over valid frames.

    Returns {mean_px, median_px, normalized, frames_used}: mean and median over all
    (frame, point) distances in pixels; `normalized` is the mean of per-frame mean distances
    each divided by that frame's interocular distance (outer eye corners of the *target*) or
    by sqrt(width * height) of the target's bounding box (NME); None when not requested.
    With no valid frame the three values are None and frames_used is 0.
    """
    pred, target = np.asarray(pred, np.float64), np.asarray(target, np.float64)
    valid = _check(pred, target, valid)
    p, t = pred[valid, :, :2], target[valid, :, :2]
    if p.shape[0] == 0:
        return {"mean_px": None, "median_px": None, "normalized": None, "frames_used": 0}
    dist = np.linalg.norm(p - t, axis=-1)  # (T', N)
    normalized = None
    if normalize_by is not None:
        scale = _scale(t, normalize_by, eye_indices)
        if np.any(scale <= 0):
            raise InputError(None, f"{normalize_by} length is zero in some target frame")
        normalized = float(np.mean(dist.mean(axis=1) / scale))
    return {
        "mean_px": float(dist.mean()),
        "median_px": float(np.median(dist)),
        "normalized": normalized,
        "frames_used": int(p.shape[0]),
    }
