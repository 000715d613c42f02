"""Compositing a rendered frame back into the original: soft masks, colour matching, blending.

Convention: images (H, W, 3) float32 RGB [0, 1]; masks (H, W) float32 [0, 1]; radii in px of the
frame; landmarks (478, 3) px (x right, y down).
"""

from __future__ import annotations

import cv2
import numpy as np

from render_core.geometry import face_topology as ft


def feather(mask: np.ndarray, radius_px: float) -> np.ndarray:
    """Soften a mask's edge over about `radius_px` (Gaussian, sigma = radius / 2); the inside of
    a large region stays 1, so feathering never fades the edited content itself."""
    m = np.clip(np.asarray(mask, np.float32), 0.0, 1.0)
    if radius_px <= 0:
        return m.copy()
    return np.clip(cv2.GaussianBlur(m, (0, 0), radius_px / 2.0), 0.0, 1.0)


FLAT_STD = 0.02  # per-channel std below which a ring counts as flat


def _ring(mask: np.ndarray, width_px: int) -> np.ndarray:
    """Bool band just outside the mask (where the original is trusted as the colour reference)."""
    inside = (mask > 0.5).astype(np.uint8)
    k = np.ones((2 * width_px + 1, 2 * width_px + 1), np.uint8)
    return (cv2.dilate(inside, k) > 0) & (inside == 0)


def color_match(src: np.ndarray, ref: np.ndarray, mask: np.ndarray, ring_px: int = 8) -> np.ndarray:
    """Shift and scale `src`'s channels so that, in a ring around the mask, its mean/std match
    `ref`'s (the rendered region then blends into the untouched frame). Returns a new image.
    (OpenCV's masked statistics and in-place arithmetic: several times faster than numpy's
    boolean indexing, and this runs on every exported frame of a neural renderer;
    docs/performance.md.)"""
    ring = _ring(mask, ring_px).view(np.uint8)
    if cv2.countNonZero(ring) < 16:
        return src.copy()
    src, ref = np.ascontiguousarray(src, np.float32), np.ascontiguousarray(ref, np.float32)
    s_mean, s_std = (v.ravel()[: src.shape[2]] for v in cv2.meanStdDev(src, mask=ring))
    r_mean, r_std = (v.ravel()[: src.shape[2]] for v in cv2.meanStdDev(ref, mask=ring))
    gain = np.clip(r_std / np.maximum(s_std, 1e-4), 0.5, 2.0)
    # a flat ring (a saturated white wall, a uniform backdrop) says nothing about contrast:
    # matching its near-zero spread would wash the rendered region out, so keep the gain at 1
    gain = np.where(np.minimum(s_std, r_std) < FLAT_STD, 1.0, gain)
    out = src * gain.astype(np.float32)
    out += (r_mean - s_mean * gain).astype(np.float32)
    return np.clip(out, 0.0, 1.0, out=out)


def composite(original: np.ndarray, rendered: np.ndarray, mask: np.ndarray, feather_px: float) -> np.ndarray:
    """original * (1 - m) + rendered * m with m the feathered mask: (H, W, 3) float32."""
    m = feather(mask, feather_px)[..., None]
    out = np.subtract(rendered, original, dtype=np.float32)  # original + (rendered - original) * m
    out *= m
    out += original
    return out


def face_hull_mask(landmarks: np.ndarray, shape: tuple[int, int], dilate: float = 0.1) -> np.ndarray:
    """(H, W) float32 {0, 1}: the face oval polygon grown outward from its centre by `dilate`
    (fraction of the face size). landmarks: (478, 3) or (478, 2) px; shape: (H, W)."""
    oval = np.asarray(landmarks, np.float32)[list(ft.face_oval()), :2]
    centre = oval.mean(axis=0)
    grown = centre + (oval - centre) * (1.0 + dilate)
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(grown * 16).astype(np.int32)], 1, lineType=cv2.LINE_8, shift=4)
    return m.astype(np.float32)
