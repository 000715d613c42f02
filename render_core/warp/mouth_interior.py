"""Mouth interior for the classical face warp: a mouth that opens wider than in the source frame
shows a dark interior, not the lips stretched across the gap.

Where the edited inner-lip polygon is larger than the source one, the source interior (what was
really visible between the lips) is kept, translated with the mouth centre and not stretched;
the rest of the edited opening is filled with a dark red-brown gradient whose colour comes from
the darkest pixels of the source mouth and which darkens with distance from the lips (depth).

Convention: frame/patch float32 RGB [0, 1]; points (478, 2) px; origin (x0, y0) of the patch.
"""

from __future__ import annotations

import cv2
import numpy as np

from render_core.geometry import face_topology as ft

_DEFAULT_INTERIOR = np.array([0.24, 0.09, 0.08], np.float32)  # dark red-brown
_MIN_GROWTH = 1.05  # dst area / src area above which the opening counts as "wider"


def _poly_mask(poly: np.ndarray, shape: tuple[int, int], origin: tuple[int, int]) -> np.ndarray:
    """Anti-aliased (h, w) float32 [0, 1] fill of a px polygon in patch coordinates."""
    m = np.zeros(shape, np.uint8)
    pts = np.round((poly - origin) * 16).astype(np.int32)
    cv2.fillPoly(m, [pts], 255, lineType=cv2.LINE_AA, shift=4)
    return m.astype(np.float32) / 255.0


def interior_colour(frame: np.ndarray, inner_poly: np.ndarray) -> np.ndarray:
    """(3,) colour of the source mouth interior: the darkest quarter of the pixels in and just
    around the inner-lip polygon (the lip line when closed), pulled towards a dark red-brown."""
    h, w = frame.shape[:2]
    x0, y0 = np.maximum(np.floor(inner_poly.min(axis=0)).astype(int) - 3, 0)
    x1, y1 = np.minimum(np.ceil(inner_poly.max(axis=0)).astype(int) + 4, (w, h))
    if x1 <= x0 or y1 <= y0:
        return _DEFAULT_INTERIOR.copy()
    m = _poly_mask(inner_poly, (y1 - y0, x1 - x0), (x0, y0)) > 0.0
    m = cv2.dilate(m.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    px = frame[y0:y1, x0:x1][m]
    if len(px) < 4:
        return _DEFAULT_INTERIOR.copy()
    lum = px @ np.array([0.299, 0.587, 0.114], np.float32)
    dark = px[lum <= np.quantile(lum, 0.25)].mean(axis=0)
    return np.minimum(0.5 * dark + 0.5 * _DEFAULT_INTERIOR, 0.45).astype(np.float32)


def gradient_fill(opening: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """(h, w, 3): colour darkening from the lips (edge of `opening`) to 55% at the deepest point."""
    inside = (opening > 0.5).astype(np.uint8)
    dist = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    depth = dist / max(float(dist.max()), 1.0)
    return colour[None, None, :] * (1.0 - 0.45 * depth)[..., None]


def fill_mouth(
    frame: np.ndarray,
    patch: np.ndarray,
    changed: np.ndarray,
    origin: tuple[int, int],
    src_xy: np.ndarray,
    dst_xy: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Replace the warped mouth opening in `patch` (h, w, 3) when it grew (in place: both arrays
    are the caller's scratch); returns the patch and the change mask (h, w) with the opening."""
    inner = list(ft.lips()[1])
    p_src, p_dst = src_xy[inner].astype(np.float32), dst_xy[inner].astype(np.float32)
    a_src, a_dst = abs(cv2.contourArea(p_src)), abs(cv2.contourArea(p_dst))
    if a_dst <= a_src * _MIN_GROWTH + 2.0:
        return patch, changed
    # Work on the opening's box only: the rest of the patch is untouched.
    h, w = patch.shape[:2]
    bx0, by0 = np.maximum(np.floor(p_dst.min(axis=0)).astype(int) - 2 - origin, 0)
    bx1, by1 = np.minimum(np.ceil(p_dst.max(axis=0)).astype(int) + 3 - origin, (w, h))
    if bx1 <= bx0 or by1 <= by0:
        return patch, changed
    sub_origin = (origin[0] + bx0, origin[1] + by0)
    shape = (by1 - by0, bx1 - bx0)
    opening = _poly_mask(p_dst, shape, sub_origin)
    shift = p_dst.mean(axis=0) - p_src.mean(axis=0)
    # A barely open source mouth is only a lip line: showing it mid-opening reads as a seam.
    keep = min(1.0, a_src / (0.3 * a_dst))
    kept = keep * np.minimum(_poly_mask(p_src + shift, shape, sub_origin), opening)
    kept = cv2.GaussianBlur(kept, (0, 0), 1.0)
    gx, gy = np.meshgrid(
        np.arange(sub_origin[0], sub_origin[0] + shape[1], dtype=np.float32),
        np.arange(sub_origin[1], sub_origin[1] + shape[0], dtype=np.float32),
    )
    translated = cv2.remap(
        frame, gx - shift[0], gy - shift[1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    fill = gradient_fill(opening, interior_colour(frame, p_src))
    interior = kept[..., None] * translated + (1.0 - kept[..., None]) * fill
    sub = patch[by0:by1, bx0:bx1]
    sub[:] = opening[..., None] * interior + (1.0 - opening[..., None]) * sub
    changed[by0:by1, bx0:bx1] = np.maximum(changed[by0:by1, bx0:bx1], opening)
    return patch, changed
