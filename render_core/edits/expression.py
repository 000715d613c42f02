"""Expression controls as deformations of the face mesh in head space.

Each control moves *handle* landmarks by an explicit displacement, pins others (zero
displacement), and the rest of the mesh follows with a Gaussian falloff (`face_frame.spread`).
Directions are the face's own (`FaceFrame`: L = subject's left, U = up, O = out of the face);
S = eye span (outer eye corners, ~9 cm); v = the control value in -1..1. "lat" is the outward
direction of a side: +L on the subject's left, -L on the right. Controls add up linearly.

- jaw_open: the lower lip and the jaw line (chin 152 and JAW_LINE) rotate about the jaw hinge,
  an axis along L through a point 0.1 S below and 0.5 S behind the midpoint of the cheek points
  234/454 (the jaw joints, in front of the ears), and slide forward by 0.2 S per 25 deg (the
  condyles translate as the mouth opens wide, so the chin drops rather than retreats).
  v = 1 opens by 25 deg (measured on the canonical face: chin drops 0.42 S, lip gap opens 0.53 S);
  v < 0 closes the current inner-lip gap (13/14) by the fraction |v|. Lower-lip points take
  1 - (d/D)^2/2 of the rotation (d: distance from the lip midline, D: half mouth width), so
  the opening is oval as lips stretch; mouth corners follow at half the rotation. The chin's
  skin between the lower lip and the jaw line (below lip point 17, inside 0.8 of the jaw's half
  width) rotates with the jaw too, falling off the same way toward the sides: left to the
  falloff it lagged behind both and folded the lower lip over the chin. Pinned: upper lip, the
  skin between it and the nose (within the mouth's width), nose, eyes, oval sides. sigma 0.25 S.
- smile: each mouth corner (61/78 right, 291/308 left) moves by v * (0.10 S U + 0.06 S lat);
  negative values pull the corners down and in. Pinned: lip midline (0, 13, 14, 17), nose.
  sigma 0.15 S. Mirrored between sides.
- mouth_wide: the corners move by v * 0.08 S lat. Same pins and sigma as smile.
- pucker: every lip point moves toward the mouth's vertical midline by v * 0.35 of its lateral
  offset and out of the face by v * 0.08 S. Pinned: nose, chin, jaw line. sigma 0.15 S.
- brow_raise: all 20 eyebrow points move by v * 0.10 S U; the forehead follows. Pinned: both
  eyes' lids and corners. sigma 0.2 S.
- brow_furrow: the inner brow points move by v * (-0.05 S lat - 0.04 S U) (toward the midline
  and down). Pinned: outer brow ends, eyes. sigma 0.12 S. Mirrored.
- blink_left / blink_right: that eye's upper-lid points move by v * (paired lower-lid point -
  upper-lid point), so 1 closes the eye exactly whatever its current opening; v < 0 lifts
  the upper lid by |v| * 0.06 S U (eyes wide). Pinned: that eye's lower lid and corners, its
  eyebrow. sigma 0.06 S, so the other eye does not move.
Iris points (468-477) never move here (the eyeball does not move with an expression; gaze
edits move them).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from render_core.edits import face_regions as R
from render_core.edits.face_frame import FaceFrame, face_frame, rotate_about, rotation_toward, spread
from render_core.edits.params import ExpressionParams

Handles = tuple[list[int], np.ndarray, float]  # indices, (H, 3) displacements, sigma


def _pins(*groups: tuple[int, ...]) -> list[int]:
    return sorted({i for g in groups for i in g})


def _assemble(moving: dict[int, np.ndarray], pinned: list[int], sigma: float) -> Handles:
    pins = [i for i in pinned if i not in moving]
    idx = list(moving) + pins
    disp = np.array([moving[i] for i in moving] + [np.zeros(3)] * len(pins), np.float64).reshape(-1, 3)
    return idx, disp, sigma


JAW_ANGLE_DEG = 25.0  # jaw_open = 1
# the nostrils, the nose's base and the cheek beside its wings, above the mouth corners: the jaw
# does not pull them down (left to the falloff, they slid under the pinned nose and tore the
# nostrils' outline)
NOSE_BASE = (20, 60, 75, 99, 125, 141, 238, 240, 241, 242, 250, 289, 290, 305, 328, 354, 370, 455, 458,
             460, 461, 462, 165, 391, 92, 322, 206, 426, 203, 423, 36, 266, 167, 393, 164)  # fmt: skip
JAW_SLIDE = 0.2  # forward slide of the jaw at jaw_open = 1, in eye spans (condyle translation)


def _jaw_hinge(p: np.ndarray, fr: FaceFrame) -> np.ndarray:
    """The jaw joints' midpoint: 0.1 S below and 0.5 S behind the cheek points 234/454."""
    sides = 0.5 * (p[R.OVAL_UPPER_SIDES[0]] + p[R.OVAL_UPPER_SIDES[3]])
    return sides - fr.size * (0.1 * fr.up + 0.5 * fr.out)


def _jaw_move(p: np.ndarray, idx: tuple[int, ...], fr: FaceFrame, hinge: np.ndarray, angle: float) -> dict:
    R3 = rotation_toward(fr.out, -fr.up, angle)  # turning O toward -U swings the chin down
    slide = JAW_SLIDE * fr.size * angle / np.deg2rad(JAW_ANGLE_DEG) * fr.out
    moved = rotate_about(p[list(idx)], R3, hinge) + slide
    return {i: moved[k] - p[i] for k, i in enumerate(idx)}


def _closing_angle(p: np.ndarray, fr: FaceFrame, hinge: np.ndarray) -> float:
    """The (positive) jaw angle that brings inner lip 14 up level with 13 (0 if closed)."""

    def lip_gap(a: float) -> float:  # > 0 while 14 is below 13
        moved = _jaw_move(p, (R.INNER_LIP_BOTTOM,), fr, hinge, -a)[R.INNER_LIP_BOTTOM]
        return float((p[R.INNER_LIP_TOP] - p[R.INNER_LIP_BOTTOM] - moved) @ fr.up)

    if lip_gap(0.0) <= 0.0:
        return 0.0
    lo, hi = 0.0, np.deg2rad(60.0)
    for _ in range(40):  # bisection: lip_gap decreases as the jaw closes
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if lip_gap(mid) > 0.0 else (lo, mid)
    return 0.5 * (lo + hi)


def _lower_lip_follow(p: np.ndarray, fr: FaceFrame) -> dict[int, float]:
    """How much of the jaw rotation each lower-lip point takes: 1 on the midline, falling as
    1 - (d/D)^2 / 2 to 1/2 at the corners (d: lateral distance from the midline, D: half the
    mouth width), where the corners' own half rotation takes over."""
    mid = p[R.INNER_LIP_BOTTOM] @ fr.left
    half = 0.5 * abs((p[R.MOUTH_CORNER_LEFT[0]] - p[R.MOUTH_CORNER_RIGHT[0]]) @ fr.left)
    d = np.abs(p[list(R.LOWER_LIP)] @ fr.left - mid) / max(half, 1e-6)
    return {i: float(1.0 - 0.5 * min(di, 1.0) ** 2) for i, di in zip(R.LOWER_LIP, d, strict=True)}


def _chin_follow(p: np.ndarray, fr: FaceFrame) -> dict[int, float]:
    """Mesh points below the lower lip (17) and inside 0.8 of the jaw line's half width: the
    share of the jaw rotation each takes, 1 - (d/D)^2 / 2 over the lateral distance d."""
    rel = p[: R.IRIS[0]] - p[R.LOWER_LIP_OUTER[4]]
    half = 0.8 * 0.5 * abs((p[R.JAW_LINE[0]] - p[R.JAW_LINE[-1]]) @ fr.left)
    d = np.abs(rel @ fr.left) / max(half, 1e-6)
    skip = set(R.LOWER_LIP) | set(R.JAW_LINE)
    ids = [int(i) for i in np.flatnonzero((rel @ fr.up < 0) & (d < 1.0)) if int(i) not in skip]
    return {i: float(1.0 - 0.5 * d[i] ** 2) for i in ids}


def _philtrum(p: np.ndarray, fr: FaceFrame) -> list[int]:
    """Points between the upper lip's top (0) and the nose's base (2), within the mouth's width."""
    half = 0.5 * abs((p[R.MOUTH_CORNER_LEFT[0]] - p[R.MOUTH_CORNER_RIGHT[0]]) @ fr.left)
    rel = p[: R.IRIS[0]] - p[0]
    between = (rel @ fr.up > 0) & ((p[: R.IRIS[0]] - p[2]) @ fr.up < 0)
    return [int(i) for i in np.flatnonzero(between & (np.abs(rel @ fr.left) < half))]


def _jaw(p: np.ndarray, fr: FaceFrame, v: float) -> Handles:
    hinge = _jaw_hinge(p, fr)
    angle = v * (np.deg2rad(JAW_ANGLE_DEG) if v >= 0 else _closing_angle(p, fr, hinge))
    moving = _jaw_move(p, R.JAW_LINE, fr, hinge, angle)
    for i, w in _chin_follow(p, fr).items():  # the chin's skin goes with the bone under it
        moving.update(_jaw_move(p, (i,), fr, hinge, angle * w))
    for i, w in _lower_lip_follow(p, fr).items():  # lips stretch: an oval opening, not a box
        moving.update(_jaw_move(p, (i,), fr, hinge, angle * w))
    moving.update(_jaw_move(p, R.MOUTH_CORNER_RIGHT + R.MOUTH_CORNER_LEFT, fr, hinge, angle / 2))
    pinned = _pins(
        R.UPPER_LIP, R.NOSE, NOSE_BASE, R.LEFT_EYE, R.RIGHT_EYE, R.OVAL_UPPER_SIDES, tuple(_philtrum(p, fr))
    )
    return _assemble(moving, pinned, 0.25 * fr.size)


def _corners(fr: FaceFrame, up: float, lat: float) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    for side, lat_dir in ((R.MOUTH_CORNER_LEFT, fr.left), (R.MOUTH_CORNER_RIGHT, -fr.left)):
        for i in side:
            out[i] = fr.size * (up * fr.up + lat * lat_dir)
    return out


def _smile(p: np.ndarray, fr: FaceFrame, v: float) -> Handles:
    return _assemble(_corners(fr, 0.10 * v, 0.06 * v), _pins(R.LIP_MIDLINE, R.NOSE), 0.15 * fr.size)


def _mouth_wide(p: np.ndarray, fr: FaceFrame, v: float) -> Handles:
    return _assemble(_corners(fr, 0.0, 0.08 * v), _pins(R.LIP_MIDLINE, R.NOSE), 0.15 * fr.size)


def _pucker(p: np.ndarray, fr: FaceFrame, v: float) -> Handles:
    mid = p[list(R.LIP_MIDLINE)].mean(axis=0)
    moving = {i: v * (-0.35 * ((p[i] - mid) @ fr.left) * fr.left + 0.08 * fr.size * fr.out) for i in R.LIPS}
    return _assemble(moving, _pins(R.NOSE, R.JAW_LINE), 0.15 * fr.size)


def _brow_raise(p: np.ndarray, fr: FaceFrame, v: float) -> Handles:
    moving = {i: v * 0.10 * fr.size * fr.up for i in R.LEFT_EYEBROW + R.RIGHT_EYEBROW}
    return _assemble(moving, _pins(R.LEFT_EYE, R.RIGHT_EYE), 0.2 * fr.size)


def _brow_furrow(p: np.ndarray, fr: FaceFrame, v: float) -> Handles:
    moving: dict[int, np.ndarray] = {}
    for inner, lat in ((R.LEFT_BROW_INNER, fr.left), (R.RIGHT_BROW_INNER, -fr.left)):
        for i in inner:
            moving[i] = v * fr.size * (-0.05 * lat - 0.04 * fr.up)
    pinned = _pins(R.LEFT_BROW_OUTER, R.RIGHT_BROW_OUTER, R.LEFT_EYE, R.RIGHT_EYE)
    return _assemble(moving, pinned, 0.12 * fr.size)


def _blink(p: np.ndarray, fr: FaceFrame, v: float, side: str) -> Handles:
    if side == "left":
        upper, lower, corners, brow = R.LEFT_UPPER_LID, R.LEFT_LOWER_LID, R.LEFT_EYE_CORNERS, R.LEFT_EYEBROW
    else:
        upper, lower, corners, brow = (
            R.RIGHT_UPPER_LID,
            R.RIGHT_LOWER_LID,
            R.RIGHT_EYE_CORNERS,
            R.RIGHT_EYEBROW,
        )
    if v >= 0:
        moving = {u: v * (p[lo] - p[u]) for u, lo in zip(upper, lower, strict=True)}
    else:
        moving = {u: -v * 0.06 * fr.size * fr.up for u in upper}
    return _assemble(moving, _pins(lower, corners, brow), 0.06 * fr.size)


CONTROLS = {
    "jaw_open": _jaw,
    "smile": _smile,
    "mouth_wide": _mouth_wide,
    "pucker": _pucker,
    "brow_raise": _brow_raise,
    "brow_furrow": _brow_furrow,
    "blink_left": lambda p, fr, v: _blink(p, fr, v, "left"),
    "blink_right": lambda p, fr, v: _blink(p, fr, v, "right"),
}


def expression_delta(
    landmarks: np.ndarray, params: ExpressionParams, neutral: np.ndarray | None = None
) -> np.ndarray:
    """(478, 3) head-space displacement of every landmark for `params`.

    landmarks: (478, 3) head-space landmarks of the frame being edited (geometry the controls
    act on, e.g. the current lid gap); neutral: (478, 3) the subject's neutral face in head
    space, which fixes the face's axes and size so they do not wobble with the expression
    (defaults to `landmarks`).
    """
    p = np.asarray(landmarks, np.float64)
    fr = face_frame(p if neutral is None else neutral)
    mesh = p[: R.IRIS[0]]
    delta = np.zeros_like(p)
    for f in fields(params):
        v = float(getattr(params, f.name))
        if v != 0.0:
            idx, disp, sigma = CONTROLS[f.name](p, fr, v)
            delta[: R.IRIS[0]] += spread(mesh, idx, disp, sigma)
    return delta


def apply_expression(
    landmarks: np.ndarray, params: ExpressionParams, neutral: np.ndarray | None = None
) -> np.ndarray:
    """(478, 3) head-space landmarks with the expression controls applied (see module doc)."""
    out = np.asarray(landmarks, np.float64) + expression_delta(landmarks, params, neutral)
    return out.astype(np.float32)
