"""Mouth interior from the clip itself (Face2Face's mouth retrieval): when an edit opens the mouth
wider than the source frame shows it, the opening is filled with the mouth of the clip frame
whose inner lips best match the edited ones (`shape_index.ShapeIndex.mouth_donor`), moved onto
the edited lips through the mesh (`region_warp`), colour matched on the lips and blended with a
feathered mask. The real teeth, tongue and inner lips of the person replace the stretched lip
pixels; the outer lip line and the skin stay the warp's.

An edit may open the mouth wider than any frame of the clip (jaw_open=1 on a clip that only
talks): stretching the donor's opening to fit would draw teeth twice their height. Beyond
`MAX_STRETCH`, the donor's mouth is instead moved twice, stretched by `MAX_STRETCH` only, once
hanging from the edited upper lip (its upper teeth) and once standing on the edited lower lip
(its lower teeth), and the space between is the mouth's dark cavity, shaded from the donor's
darkest interior pixels (`mouth_interior`).

Convention: patch float32 RGB [0, 1] (h, w, 3), a box of the frame at `origin` (x0, y0);
points (478, 2) px in the frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from render_core.edits import face_regions as R
from render_core.geometry.face_topology import hole_triangles
from render_core.warp.donor import Donor
from render_core.warp.mouth_interior import gradient_fill, interior_colour
from render_core.warp.region_warp import clip_box, colour_gain, triangles_near, warp_region

# Index-aligned rings, from the subject's right corner over the upper lip and back under the lower.
INNER = (78, *R.UPPER_LIP_INNER, 308, *reversed(R.LOWER_LIP_INNER))
OUTER = (61, *R.UPPER_LIP_OUTER, 291, *reversed(R.LOWER_LIP_OUTER))
LIP_OVERLAP = 0.3  # how far into the lips (fraction of their thickness) the donor's pixels reach
MIN_GROWTH = 1.05  # edited / source inner-lip area above which the opening is filled
SHOWN_OPENING = 0.02  # source inner-lip area / mouth width^2 above which teeth or tongue show
SHRINK = 0.5  # edited / source inner-lip area below which a shown opening counts as closed by the edit
MAX_STRETCH = 1.8  # edited / donor lip gap (at the same mouth width) up to which the donor is stretched
# A mouth the edit closes takes the donor's lips and the skin below them, this share of the way
# from the lower lip to the chin. Why: closing a wide-open mouth moves the lower lip about three
# times as far as the chin, so the warp stretches the source's open lower lip over that skin: a
# pink band below the closed lips that the re-tracker read as a parted mouth.
CLOSE_CHIN_SHARE = 0.7
CHIN = 152


def _poly(points: np.ndarray, shape: tuple[int, int], origin: tuple[int, int]) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round((points - origin) * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
    return m.astype(np.float32) / 255.0


def opening_grew(src_xy: np.ndarray, dst_xy: np.ndarray) -> bool:
    """Whether the edited inner-lip polygon is larger than the source one (by `MIN_GROWTH`) and
    open enough to show teeth or tongue (`SHOWN_OPENING`). Why the second test: two closed
    mouths' slivers differ by more than 5% from tracker noise alone, and an open donor mouth
    pasted into a closed one parted the lips of a reenacted face that was asked to keep them shut."""
    a_src = abs(cv2.contourArea(src_xy[list(INNER)].astype(np.float32)))
    a_dst = abs(cv2.contourArea(dst_xy[list(INNER)].astype(np.float32)))
    width = float(np.linalg.norm(dst_xy[61] - dst_xy[291]))
    return a_dst > a_src * MIN_GROWTH + 2.0 and a_dst > SHOWN_OPENING * width**2


def mouth_mask(dst_xy: np.ndarray, shape: tuple[int, int], origin: tuple[int, int]) -> np.ndarray:
    """(h, w) float32: the edited opening grown `LIP_OVERLAP` into the lips, feathered."""
    inner, outer = dst_xy[list(INNER)], dst_xy[list(OUTER)]
    grown = inner + LIP_OVERLAP * (outer - inner)
    thick = float(np.median(np.linalg.norm(outer - inner, axis=1)))
    m = _poly(grown, shape, origin)
    return cv2.GaussianBlur(m, (0, 0), max(0.6, 0.15 * thick))


def _gaps(xy: np.ndarray) -> np.ndarray:
    """(9, 2) inner lower-lip minus upper-lip points, paired across the opening."""
    return xy[list(R.LOWER_LIP_INNER), :2] - xy[list(R.UPPER_LIP_INNER), :2]


def _similarity(donor_xy: np.ndarray, dst_xy: np.ndarray) -> np.ndarray:
    """(2, 2) rotation and scale taking the donor's mouth-corner line onto the edited one."""
    a = donor_xy[291, :2] - donor_xy[61, :2]
    b = dst_xy[291, :2] - dst_xy[61, :2]
    s = float(np.linalg.norm(b)) / max(float(np.linalg.norm(a)), 1e-6)
    ang = float(np.arctan2(b[1], b[0]) - np.arctan2(a[1], a[0]))
    c, n = np.cos(ang), np.sin(ang)
    return s * np.array([[c, -n], [n, c]])


def _hanging(dst_xy: np.ndarray, donor_xy: np.ndarray, from_upper: bool) -> np.ndarray:
    """The edited points with the opening's other lip placed at the donor's gap (rotated and
    scaled to the edited mouth, stretched by `MAX_STRETCH`): the donor's mouth attached to one
    edited lip."""
    out = dst_xy[:, :2].copy()
    g = MAX_STRETCH * _gaps(donor_xy) @ _similarity(donor_xy, dst_xy).T
    up, low = list(R.UPPER_LIP_INNER), list(R.LOWER_LIP_INNER)
    if from_upper:
        out[low] = dst_xy[up, :2] + g
    else:
        out[up] = dst_xy[low, :2] - g
    return out


def _line_distance(points: np.ndarray, shape: tuple[int, int], origin: tuple[int, int]) -> np.ndarray:
    """(h, w) px distance to the polyline through `points`."""
    m = np.full(shape, 255, np.uint8)
    cv2.polylines(m, [np.round(points - origin).astype(np.int32)], False, 0, 1)
    return cv2.distanceTransform(m, cv2.DIST_L2, 3)


def _split_interior(donor: Donor, dst_xy: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """(h, w, 3) interior for an opening wider than the donor's: its upper teeth under the
    upper lip, its lower teeth on the lower lip, dark cavity between."""
    x0, y0, x1, y1 = box
    shape, origin = (y1 - y0, x1 - x0), (x0, y0)
    tris = hole_triangles()["mouth"]
    upper, cov_u = warp_region(donor.image, donor.points, _hanging(dst_xy, donor.points, True), tris, box)
    lower, cov_l = warp_region(donor.image, donor.points, _hanging(dst_xy, donor.points, False), tris, box)
    half = (
        0.5
        * MAX_STRETCH
        * float(np.median(np.linalg.norm(_gaps(donor.points), axis=1)))
        * float(np.linalg.norm(_similarity(donor.points, dst_xy)[0]))
    )
    ring = [78, *R.UPPER_LIP_INNER, 308]
    d_u = _line_distance(dst_xy[ring, :2], shape, origin)
    d_l = _line_distance(dst_xy[[78, *R.LOWER_LIP_INNER, 308], :2], shape, origin)
    ramp = max(1.0, 0.5 * half)
    w_u = np.clip((half - d_u) / ramp, 0.0, 1.0) * cov_u
    w_l = np.clip((half - d_l) / ramp, 0.0, 1.0) * cov_l
    # the cavity continues the donor's own dark interior (the darkest quarter where the two bands
    # fade out: between teeth, not on them), darker deeper
    seam = np.concatenate([upper[(w_u > 0.05) & (w_u < 0.6)], lower[(w_l > 0.05) & (w_l < 0.6)]])
    colour = interior_colour(donor.image, donor.points[list(INNER), :2])
    if len(seam) >= 8:
        lum = seam @ np.array([0.299, 0.587, 0.114], np.float32)
        dark = seam[lum <= np.quantile(lum, 0.25)].mean(axis=0)
        colour = np.minimum(dark, 0.45).astype(np.float32)
    opening = _poly(dst_xy[list(INNER)], shape, origin)
    cavity = gradient_fill(opening, colour)
    out = w_l[..., None] * lower + (1.0 - w_l[..., None]) * cavity
    return w_u[..., None] * upper + (1.0 - w_u[..., None]) * out


def stretch(donor_xy: np.ndarray, dst_xy: np.ndarray) -> float:
    """How far the donor's lip gap would stretch to fit the edited one (same mouth width)."""
    scale = float(np.linalg.norm(_similarity(donor_xy, dst_xy)[0]))
    g_d = float(np.median(np.linalg.norm(_gaps(donor_xy), axis=1))) * scale
    g_e = float(np.median(np.linalg.norm(_gaps(dst_xy), axis=1)))
    return g_e / max(g_d, 1e-6)


def opening_shrank(src_xy: np.ndarray, dst_xy: np.ndarray) -> bool:
    """Whether the edit closes a mouth the source frame shows open (the warp would squeeze its
    teeth and tongue into a pink smear between the lips)."""
    width = float(np.linalg.norm(src_xy[61] - src_xy[291]))
    a_src = abs(cv2.contourArea(src_xy[list(INNER)].astype(np.float32)))
    a_dst = abs(cv2.contourArea(dst_xy[list(INNER)].astype(np.float32)))
    return a_src > SHOWN_OPENING * width**2 and a_dst < SHRINK * a_src


def lips_mask(dst_xy: np.ndarray, shape: tuple[int, int], origin: tuple[int, int]) -> np.ndarray:
    """(h, w) float32: the edited lips and opening, grown a little onto the skin, feathered."""
    inner, outer = dst_xy[list(INNER)], dst_xy[list(OUTER)]
    thick = float(np.median(np.linalg.norm(outer - inner, axis=1)))
    centre = outer.mean(axis=0)
    radial = outer - centre
    radial /= np.maximum(np.linalg.norm(radial, axis=1, keepdims=True), 1e-6)
    m = _poly(outer + 0.4 * thick * radial, shape, origin)
    return cv2.GaussianBlur(m, (0, 0), max(0.8, 0.3 * thick))


def _below_lips(dst_xy: np.ndarray, shape: tuple[int, int], origin: tuple[int, int]) -> np.ndarray:
    """(h, w) float32: the lower lip and the skin below it down `CLOSE_CHIN_SHARE` of the way
    to the chin, feathered."""
    lower = dst_xy[[61, *R.LOWER_LIP_OUTER, 291]]
    toward = lower + CLOSE_CHIN_SHARE * (dst_xy[CHIN] - dst_xy[17])  # the lower lip's midpoint
    m = _poly(cv2.convexHull(np.concatenate([lower, toward]).astype(np.float32))[:, 0], shape, origin)
    width = float(np.linalg.norm(dst_xy[61] - dst_xy[291]))
    return cv2.GaussianBlur(m, (0, 0), max(0.8, 0.06 * width))


def paste_mouth(
    patch: np.ndarray,
    changed: np.ndarray,
    origin: tuple[int, int],
    dst_xy: np.ndarray,
    donor: Donor,
    whole_lips: bool = False,
) -> bool:
    """Fill the edited mouth opening of `patch` with the donor's (in place, both arrays), or with
    `whole_lips` the lips as well (a mouth the edit closes); False when the mouth lies outside
    the patch."""
    h, w = patch.shape[:2]
    width = float(np.linalg.norm(dst_xy[61] - dst_xy[291]))
    centre = dst_xy[list(INNER)].mean(axis=0)
    box = clip_box(dst_xy[list(OUTER)] - origin, (0.5 if whole_lips else 0.25) * width + 2, (h, w))
    if box is None or width < 4:
        return False
    x0, y0, x1, y1 = box
    tris = triangles_near(dst_xy, centre, (1.8 if whole_lips else 1.0) * width)
    frame_box = (x0 + origin[0], y0 + origin[1], x1 + origin[0], y1 + origin[1])
    moved, cover = warp_region(donor.image, donor.points, dst_xy, tris, frame_box)
    if not whole_lips and stretch(donor.points, dst_xy) > MAX_STRETCH:
        opening = _poly(dst_xy[list(INNER)], moved.shape[:2], frame_box[:2])
        opening = cv2.GaussianBlur(opening, (0, 0), 0.8)[..., None]
        moved = opening * _split_interior(donor, dst_xy, frame_box) + (1.0 - opening) * moved
    sub = patch[y0:y1, x0:x1]
    shape, at = sub.shape[:2], frame_box[:2]
    cover = cv2.GaussianBlur(cv2.erode(cover, np.ones((5, 5), np.uint8)), (0, 0), 1.2)  # no hard seam
    if whole_lips:
        m = np.maximum(lips_mask(dst_xy, shape, at), _below_lips(dst_xy, shape, at)) * cover
        band = np.clip(cv2.dilate(m, np.ones((7, 7), np.uint8)) - m, 0.0, 1.0) * cover  # the skin round it
    else:
        m = mouth_mask(dst_xy, shape, at) * cover
        inner, outer = dst_xy[list(INNER)], dst_xy[list(OUTER)]
        band = np.clip(_poly(outer, shape, at) - _poly(inner + 0.5 * (outer - inner), shape, at), 0.0, 1.0)
        band = band * cover  # the lips' outer half
    gain = colour_gain(moved, sub, band)
    sub[:] = m[..., None] * np.clip(moved * gain, 0.0, 1.0) + (1.0 - m[..., None]) * sub
    changed[y0:y1, x0:x1] = np.maximum(changed[y0:y1, x0:x1], m)
    return True
