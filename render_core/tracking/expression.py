"""Expression of a face relative to the subject's own neutral face, in head space.

Convention: head space = the canonical face's frame (cm; x toward the subject's left, y down,
z away from the camera), obtained per frame with `geometry.head_space.to_head_space`, so the
measurements do not change with head pose. Shapes: head-space landmarks (T, 478, 3).

The neutral face is one real frame of the clip: by default the valid frame whose head-space
shape is closest (mean point distance) to the per-point median over the clip, a robust
"resting" face for a talking head. Expression coefficients are named measurements of that
head-space shape minus the same measurement on the neutral, in cm (0 at neutral), so they
mean the same across clips and subjects and can drive sliders and retargeting directly:
"""

from __future__ import annotations

import numpy as np

from render_core.geometry.head_space import to_head_space

# (name, meaning). Positive values: mouth/eyes more open, wider, corners/brows higher.
EXPRESSION_NAMES: tuple[str, ...] = (
    "mouth_open",  # inner lip gap 13-14
    "mouth_width",  # lip corners 61-291
    "lip_corner_left",  # subject-left corner 291 raised (-dy)
    "lip_corner_right",  # subject-right corner 61 raised (-dy)
    "brow_left",  # subject-left eyebrow mean raised (-dy)
    "brow_right",  # subject-right eyebrow mean raised (-dy)
    "eye_open_left",  # subject-left lid gap 386-374
    "eye_open_right",  # subject-right lid gap 159-145
    "jaw_drop",  # chin 152 lowered (+dy)
    "jaw_side",  # chin 152 toward the subject's left (+dx)
    "lip_pucker",  # lip midline 0/17 pushed forward (-dz)
)
K = len(EXPRESSION_NAMES)
BROW_LEFT = (276, 282, 283, 285, 293, 295, 296, 300, 334, 336)
BROW_RIGHT = (46, 52, 53, 55, 63, 65, 66, 70, 105, 107)


def measurements(shape: np.ndarray) -> np.ndarray:
    """shape: (..., 478, 3) head space -> (..., K) raw measurements (cm), same order as names."""
    p = np.asarray(shape, np.float64)

    def gap(a: int, b: int) -> np.ndarray:
        return np.linalg.norm(p[..., a, :] - p[..., b, :], axis=-1)

    cols = [
        gap(13, 14),
        gap(61, 291),
        -p[..., 291, 1],
        -p[..., 61, 1],
        -p[..., BROW_LEFT, 1].mean(-1),
        -p[..., BROW_RIGHT, 1].mean(-1),
        gap(386, 374),
        gap(159, 145),
        p[..., 152, 1],
        p[..., 152, 0],
        -(p[..., 0, 2] + p[..., 17, 2]) / 2.0,
    ]
    return np.stack(cols, axis=-1).astype(np.float32)


def head_space_sequence(
    landmarks: np.ndarray,
    valid: np.ndarray,
    head_pose: np.ndarray,
    focal: float,
    principal: tuple[float, float],
) -> np.ndarray:
    """(T, 478, 3) px -> (T, 478, 3) float32 head space; NaN rows where invalid."""
    out = np.full(landmarks.shape, np.nan, np.float32)
    for t in np.flatnonzero(valid):
        out[t] = to_head_space(landmarks[t], head_pose[t], focal, principal)
    return out


def neutral_index(head_space: np.ndarray, valid: np.ndarray) -> int | None:
    """Index of the valid frame closest to the per-point median shape, or None if none valid."""
    idx = np.flatnonzero(valid)
    if idx.size == 0:
        return None
    shapes = head_space[idx]
    median = np.median(shapes, axis=0)
    dist = np.linalg.norm(shapes - median, axis=-1).mean(-1)
    return int(idx[int(np.argmin(dist))])


def expression_coefficients(head_space: np.ndarray, valid: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """(T, 478, 3) head space, (478, 3) neutral -> (T, K) float32 cm; NaN rows where invalid."""
    coef = measurements(head_space) - measurements(neutral)
    coef[~np.asarray(valid, bool)] = np.nan
    return coef.astype(np.float32)
