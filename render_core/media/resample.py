"""Affine crops that shrink without aliasing.

Why: cv2.warpAffine silently treats INTER_AREA as INTER_LINEAR, so a crop that shrinks a frame
5x samples 2x2 of every 5x5 source pixels: fine texture (fabric, hair) aliases into noise that
flickers from frame to frame, and models trained on such crops learn the flicker. Here the
source region is first box-filtered by cv2.resize(INTER_AREA) to about the output scale, then
the remaining near-unit affine is applied bilinearly.

Convention: `matrix` is the (2, 3) source px -> output px affine of cv2.warpAffine (pixel
centres at integer coordinates); the output is what warpAffine gives, minus the aliasing.
"""

from __future__ import annotations

import cv2
import numpy as np


def _source_box(
    matrix: np.ndarray, size: tuple[int, int], frame_wh: tuple[int, int], pad: int
) -> tuple[int, int, int, int]:
    """Integer (x0, y0, x1, y1) of the frame pixels the output can read, padded, inside the frame."""
    w, h = size
    inv = cv2.invertAffineTransform(matrix)
    corners = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [-0.5, h - 0.5], [w - 0.5, h - 0.5]])
    src = corners @ inv[:, :2].T + inv[:, 2]
    x0, y0 = np.floor(src.min(0)).astype(int) - pad
    x1, y1 = np.ceil(src.max(0)).astype(int) + pad + 1
    fw, fh = frame_wh
    return max(x0, 0), max(y0, 0), min(x1, fw), min(y1, fh)


def warp_affine_antialiased(
    image: np.ndarray,
    matrix: np.ndarray,
    size: tuple[int, int],
    border_mode: int = cv2.BORDER_REPLICATE,
    border_value: float = 0.0,
) -> np.ndarray:
    """cv2.warpAffine(image, matrix, size (w, h)) with a box prefilter where it shrinks.

    Only the frame region the output reads is resized, so the cost follows the crop, not the
    frame. Borders: the region is cut at the frame edge only where the crop reaches past it,
    so replicated borders are the frame's own."""
    m = np.asarray(matrix, np.float64)
    scale = float(np.sqrt(abs(np.linalg.det(m[:, :2]))))
    h, w = image.shape[:2]
    pad = int(np.ceil(2.0 / max(scale, 1e-6)))  # the bilinear taps of the residual warp, source px
    x0, y0, x1, y1 = _source_box(m, size, (w, h), pad)
    # No prefilter where the crop does not shrink, or lies outside the frame.
    if scale >= 0.999 or x1 - x0 < 2 or y1 - y0 < 2:
        return cv2.warpAffine(
            image, m, size, flags=cv2.INTER_LINEAR, borderMode=border_mode, borderValue=border_value
        )
    region = image[y0:y1, x0:x1]
    rw, rh = max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale))
    small = cv2.resize(region, (rw, rh), interpolation=cv2.INTER_AREA)
    ax, ay = rw / (x1 - x0), rh / (y1 - y0)
    # frame px -> small px (pixel centres): x' = (x - x0 + 0.5) * ax - 0.5
    to_small = np.array([[ax, 0, (0.5 - x0) * ax - 0.5], [0, ay, (0.5 - y0) * ay - 0.5], [0, 0, 1]])
    residual = np.vstack([m, [0, 0, 1]]) @ np.linalg.inv(to_small)
    return cv2.warpAffine(
        small, residual[:2], size, flags=cv2.INTER_LINEAR, borderMode=border_mode, borderValue=border_value
    )
