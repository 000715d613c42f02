"""Mouth interior from the clip itself (Face2Face's mouth retrieval): when an edit opens the mouth
wider than the source frame shows it, the opening is filled with the mouth of the clip frame
whose inner lips best match the edited ones (`shape_index.ShapeIndex.mouth_donor`), moved onto
the edited lips through the mesh (`region_warp`), colour matched on the lips and blended with a
feathered mask. The real teeth, tongue and inner lips of the person replace the stretched lip
pixels; the outer lip line and the skin stay the warp's.

Convention: patch float32 RGB [0, 1] (h, w, 3), a box of the frame at `origin` (x0, y0);
points (478, 2) px in the frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from render_core.edits import face_regions as R
from render_core.warp.donor import Donor
from render_core.warp.region_warp import clip_box, colour_gain, triangles_near, warp_region

# Index-aligned rings, from the subject's right corner over the upper lip and back under the lower.
INNER = (78, *R.UPPER_LIP_INNER, 308, *reversed(R.LOWER_LIP_INNER))
OUTER = (61, *R.UPPER_LIP_OUTER, 291, *reversed(R.LOWER_LIP_OUTER))
LIP_OVERLAP = 0.3  # how far into the lips (fraction of their thickness) the donor's pixels reach
MIN_GROWTH = 1.05  # edited / source inner-lip area above which the opening is filled


def _poly(points: np.ndarray, shape: tuple[int, int], origin: tuple[int, int]) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round((points - origin) * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
    return m.astype(np.float32) / 255.0


def opening_grew(src_xy: np.ndarray, dst_xy: np.ndarray) -> bool:
    """Whether the edited inner-lip polygon is larger than the source one (by `MIN_GROWTH`)."""
    a_src = abs(cv2.contourArea(src_xy[list(INNER)].astype(np.float32)))
    a_dst = abs(cv2.contourArea(dst_xy[list(INNER)].astype(np.float32)))
    return a_dst > a_src * MIN_GROWTH + 2.0


def mouth_mask(dst_xy: np.ndarray, shape: tuple[int, int], origin: tuple[int, int]) -> np.ndarray:
    """(h, w) float32: the edited opening grown `LIP_OVERLAP` into the lips, feathered."""
    inner, outer = dst_xy[list(INNER)], dst_xy[list(OUTER)]
    grown = inner + LIP_OVERLAP * (outer - inner)
    thick = float(np.median(np.linalg.norm(outer - inner, axis=1)))
    m = _poly(grown, shape, origin)
    return cv2.GaussianBlur(m, (0, 0), max(0.6, 0.15 * thick))


def paste_mouth(
    patch: np.ndarray, changed: np.ndarray, origin: tuple[int, int], dst_xy: np.ndarray, donor: Donor
) -> bool:
    """Fill the edited mouth opening of `patch` with the donor's (in place, both arrays); False
    when the mouth lies outside the patch."""
    h, w = patch.shape[:2]
    width = float(np.linalg.norm(dst_xy[61] - dst_xy[291]))
    centre = dst_xy[list(INNER)].mean(axis=0)
    box = clip_box(dst_xy[list(OUTER)] - origin, 0.1 * width + 2, (h, w))
    if box is None or width < 4:
        return False
    x0, y0, x1, y1 = box
    tris = triangles_near(dst_xy, centre, 0.9 * width)
    frame_box = (x0 + origin[0], y0 + origin[1], x1 + origin[0], y1 + origin[1])
    moved, cover = warp_region(donor.image, donor.points, dst_xy, tris, frame_box)
    sub = patch[y0:y1, x0:x1]
    m = mouth_mask(dst_xy, sub.shape[:2], frame_box[:2]) * cover
    lips = _poly(dst_xy[list(OUTER)], sub.shape[:2], frame_box[:2]) - _poly(
        dst_xy[list(INNER)] + 0.5 * (dst_xy[list(OUTER)] - dst_xy[list(INNER)]), sub.shape[:2], frame_box[:2]
    )
    gain = colour_gain(moved, sub, np.clip(lips, 0.0, 1.0) * cover)
    sub[:] = m[..., None] * np.clip(moved * gain, 0.0, 1.0) + (1.0 - m[..., None]) * sub
    changed[y0:y1, x0:x1] = np.maximum(changed[y0:y1, x0:x1], m)
    return True
