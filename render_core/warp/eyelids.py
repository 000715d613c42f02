"""Eyelids for the classical face warp: an eye the edit closes (a blink, a squint, a driver's
closed eye) is filled from a clip frame with that eye state (`DonorPicker.eyes`), moved onto the
edited lids through the mesh and blended with a feathered ellipse around the eye; without such a
frame the lids are shaded with the skin just above them. Why: the warp alone squeezes the iris,
sclera and lashes into the narrowed opening, which reads as a dark smudge, not as a lid.
An eye the edit opens wider than the source frame shows it (a driver looking on while the
target blinks) takes an open eye from such a frame too; the warp alone would stretch the closed
lid over the opening.

Convention: patch float32 RGB [0, 1] (h, w, 3) at `origin` (x0, y0) of the frame; points
(478, 2) px in the frame; side 0 = subject's left, 1 = right.
"""

from __future__ import annotations

import cv2
import numpy as np

from render_core.edits import face_regions as R
from render_core.warp.donor import Donor
from render_core.warp.region_warp import clip_box, colour_gain, triangles_near, warp_region

CLOSING = 0.8  # edited / source lid gap below which the eye is treated as closing
_SIDES = ((R.LEFT_UPPER_LID, R.LEFT_LOWER_LID, R.LEFT_EYE_CORNERS),
          (R.RIGHT_UPPER_LID, R.RIGHT_LOWER_LID, R.RIGHT_EYE_CORNERS))  # fmt: skip


def lid_gap(xy: np.ndarray, side: int) -> float:
    """Mean upper-to-lower lid distance / eye width, in pixels of `xy` (478, 2)."""
    upper, lower, corners = _SIDES[side]
    gap = float(np.linalg.norm(xy[list(upper)] - xy[list(lower)], axis=1).mean())
    return gap / max(float(np.linalg.norm(xy[corners[0]] - xy[corners[1]])), 1e-6)


def _ellipse(
    xy: np.ndarray, side: int, shape: tuple[int, int], origin: tuple[int, int], grow: float
) -> np.ndarray:
    """(h, w) float32 feathered ellipse over the eye and its lids (axes along the corner line)."""
    _, _, corners = _SIDES[side]
    a, b = xy[corners[0]], xy[corners[1]]
    width = float(np.linalg.norm(a - b))
    centre = (a + b) / 2.0 - origin
    angle = float(np.degrees(np.arctan2(b[1] - a[1], b[0] - a[0])))
    m = np.zeros(shape, np.float32)
    axes = (max(1, int(round(grow * 0.62 * width))), max(1, int(round(grow * 0.42 * width))))
    cv2.ellipse(m, (int(round(centre[0])), int(round(centre[1]))), axes, angle, 0, 360, 1.0, -1, cv2.LINE_AA)
    return cv2.GaussianBlur(m, (0, 0), max(0.8, 0.1 * width))


def _eye_poly(xy: np.ndarray, side: int) -> np.ndarray:
    upper, lower, corners = _SIDES[side]
    return np.concatenate([xy[[corners[0]]], xy[list(upper)][::-1], xy[[corners[1]]], xy[list(lower)]])


def _shade_lids(sub: np.ndarray, src_xy: np.ndarray, dst_xy: np.ndarray, side: int, origin) -> np.ndarray:
    """Fallback: the source eye opening, where the edited lid now covers it, painted with the
    colour of the lid skin above it (darker toward the lash line). Returns the (h, w) mask."""
    shape = sub.shape[:2]
    upper, _, corners = _SIDES[side]
    width = float(np.linalg.norm(dst_xy[corners[0]] - dst_xy[corners[1]]))

    def poly(points: np.ndarray) -> np.ndarray:
        m = np.zeros(shape, np.uint8)
        cv2.fillPoly(m, [np.round((points - origin) * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
        return m.astype(np.float32) / 255.0

    covered = np.clip(poly(_eye_poly(src_xy, side)) - poly(_eye_poly(dst_xy, side)), 0.0, 1.0)
    covered = cv2.dilate(covered, np.ones((3, 3), np.uint8))
    # skin: a band one third of an eye width above the edited upper lid
    lid = dst_xy[list(upper)]
    up = dst_xy[list(upper)].mean(axis=0) - (dst_xy[corners[0]] + dst_xy[corners[1]]) / 2.0
    up = (
        up / max(float(np.linalg.norm(up)), 1e-6)
        if float(np.linalg.norm(up)) > 0.5
        else np.array([0.0, -1.0])
    )
    band = poly(np.concatenate([lid + 0.18 * width * up, (lid + 0.4 * width * up)[::-1]]))
    if band.sum() < 4 or covered.sum() < 1:
        return np.zeros(shape, np.float32)
    skin = np.median(sub[band > 0.5], axis=0)
    m = cv2.GaussianBlur(covered, (0, 0), max(0.7, 0.05 * width))
    sub[:] = m[..., None] * skin + (1.0 - m[..., None]) * sub
    return m


def close_eye(
    patch: np.ndarray,
    changed: np.ndarray,
    origin: tuple[int, int],
    src_xy: np.ndarray,
    dst_xy: np.ndarray,
    side: int,
    donor: Donor | None,
) -> None:
    """Fill eye `side` of `patch` when the edit closes it, or opens it wider than the source
    shows it and a `donor` is given (in place, both arrays)."""
    before, after = lid_gap(src_xy, side), lid_gap(dst_xy, side)
    closing = after < CLOSING * before
    if not closing and not (donor is not None and before < CLOSING * after):
        return
    _, _, corners = _SIDES[side]
    width = float(np.linalg.norm(dst_xy[corners[0]] - dst_xy[corners[1]]))
    centre = (dst_xy[corners[0]] + dst_xy[corners[1]]) / 2.0
    h, w = patch.shape[:2]
    box = clip_box(np.stack([centre - 0.8 * width, centre + 0.8 * width]) - origin, 2, (h, w))
    if box is None or width < 4:
        return
    x0, y0, x1, y1 = box
    sub = patch[y0:y1, x0:x1]
    frame_origin = (x0 + origin[0], y0 + origin[1])
    if donor is None:
        m = _shade_lids(sub, src_xy, dst_xy, side, frame_origin)
    else:
        tris = triangles_near(dst_xy, centre, 1.1 * width)
        frame_box = (frame_origin[0], frame_origin[1], x1 + origin[0], y1 + origin[1])
        moved, cover = warp_region(donor.image, donor.points, dst_xy, tris, frame_box)
        cover = cv2.erode(cover, np.ones((3, 3), np.uint8))
        m = _ellipse(dst_xy, side, sub.shape[:2], frame_origin, 1.0) * cover
        ring = np.clip(_ellipse(dst_xy, side, sub.shape[:2], frame_origin, 1.3) - m, 0.0, 1.0) * cover
        gain = colour_gain(moved, sub, ring)
        sub[:] = m[..., None] * np.clip(moved * gain, 0.0, 1.0) + (1.0 - m[..., None]) * sub
    changed[y0:y1, x0:x1] = np.maximum(changed[y0:y1, x0:x1], m)
