"""Expression retargeting across faces: a driver's expression offsets, before they move the
target's face, are rescaled per region by how far each face moves in its own clip, so the
driver's widest mouth becomes the target's widest mouth, not a copy of the driver's
centimetres; eyes follow the driver's lid opening as a ratio of its rest opening, so a closed
eye closes the target's eye exactly, whatever the two eyes' sizes.

Convention: head-space landmarks (478, 3) (y down, units of the canonical face); ranges are in
eye spans (`FaceFrame.size`), so they compare across people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from render_core.edits import face_regions as R
from render_core.edits.face_frame import face_frame

SCALE_LIMITS = (0.5, 2.0)  # a region is never scaled beyond these (a clip that hardly moves)
_LIDS = ((R.LEFT_UPPER_LID, R.LEFT_LOWER_LID), (R.RIGHT_UPPER_LID, R.RIGHT_LOWER_LID))


def _spread(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(np.percentile(x, 95) - np.percentile(x, 5)) if len(x) > 1 else 0.0


@dataclass(frozen=True)
class ExpressionRange:
    """How far a clip's face moves: 5th-95th percentile spread, in eye spans, of the inner-lip
    gap (mouth), the lip corners' height (smile) and the brows' height (brow); eye_floor: the
    lid gap of its most closed eyes (1st percentile) / its usual one (median). Why: the tracker
    seldom reports a blink as fully closed (0.3-0.4 of the usual gap on a real blink), so a
    driver's lid ratio is read against its own floor, not against zero."""

    mouth: float
    smile: float
    brow: float
    eye_floor: float = 0.0

    @staticmethod
    def of(head_space: np.ndarray) -> ExpressionRange:
        """From (T, 478, 3) head-space landmarks (NaN rows for frames without a face)."""
        ok = np.isfinite(head_space).all(axis=(1, 2))
        hs = head_space[ok].astype(np.float64)
        if not len(hs):
            return ExpressionRange(0.0, 0.0, 0.0)
        size = float(
            np.median(np.linalg.norm(hs[:, R.LEFT_EYE_CORNERS[0]] - hs[:, R.RIGHT_EYE_CORNERS[0]], axis=1))
        )
        gap = np.linalg.norm(hs[:, 13] - hs[:, 14], axis=1)
        corners = hs[:, [61, 291], 1].mean(axis=1) - hs[:, [0, 17], 1].mean(axis=1)
        brows = hs[:, list(R.LEFT_EYEBROW + R.RIGHT_EYEBROW), 1].mean(axis=1) - hs[:, [33, 263], 1].mean(
            axis=1
        )
        s = max(size, 1e-6)
        lids = np.mean(
            [np.linalg.norm(hs[:, list(u)] - hs[:, list(lo)], axis=2).mean(axis=1) for u, lo in _LIDS], axis=0
        )
        floor = float(np.percentile(lids, 1) / max(float(np.median(lids)), 1e-6))
        return ExpressionRange(_spread(gap) / s, _spread(corners) / s, _spread(brows) / s, floor)


def _ratio(target: float, driver: float) -> float:
    if driver <= 1e-6 or target <= 1e-6:
        return 1.0
    return float(np.clip(target / driver, *SCALE_LIMITS))


def region_weights(neutral: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(478,) weights of the mouth region (below the nose tip) and the brow region (above the
    eyes), ramping over 0.15 eye spans so the face never tears between regions."""
    fr = face_frame(neutral)
    y = neutral[:, 1]
    ramp = 0.15 * fr.size
    mouth = np.clip((y - neutral[R.NOSE_TIP, 1]) / ramp, 0.0, 1.0)
    eyes_y = neutral[list(R.LEFT_EYE + R.RIGHT_EYE), 1].mean()
    brow = np.clip((eyes_y - y) / ramp - 0.5, 0.0, 1.0)
    return mouth, brow


def retarget_offsets(
    offsets: np.ndarray, target_neutral: np.ndarray, target: ExpressionRange, driver: ExpressionRange
) -> np.ndarray:
    """(478, 3) offsets in the target's head space, each region scaled by target / driver range."""
    mouth_w, brow_w = region_weights(target_neutral)
    s_mouth = _ratio(target.mouth + target.smile, driver.mouth + driver.smile)
    s_brow = _ratio(target.brow, driver.brow)
    scale = 1.0 + (s_mouth - 1.0) * mouth_w + (s_brow - 1.0) * brow_w
    return offsets * scale[:, None]


BLINK_FLOOR = 0.6  # a clip whose eyes close below this share of their usual gap blinks


def lid_ratio(head: np.ndarray, neutral: np.ndarray, side: int, floor: float = 0.0) -> float:
    """How open eye `side` is at `head` relative to `neutral` (1 = as at rest, 0 = closed).
    floor: the clip's most closed ratio (`ExpressionRange.eye_floor`), read as closed when the
    clip blinks (below `BLINK_FLOOR`)."""
    upper, lower = _LIDS[side]
    g = np.linalg.norm(head[list(upper)] - head[list(lower)], axis=1).mean()
    g0 = np.linalg.norm(neutral[list(upper)] - neutral[list(lower)], axis=1).mean()
    r = g / max(g0, 1e-6)
    if 0.0 < floor < BLINK_FLOOR and r < 1.0:
        r = max(0.0, (r - floor) / (1.0 - floor))
    return float(np.clip(r, 0.0, 1.6))


def set_lids(head: np.ndarray, neutral: np.ndarray, ratios: tuple[float, float]) -> np.ndarray:
    """`head` with each upper lid placed `ratio` of the neutral lid gap from its lower lid."""
    out = head.copy()
    for side, (upper, lower) in enumerate(_LIDS):
        gap0 = neutral[list(upper)] - neutral[list(lower)]
        out[list(upper)] = head[list(lower)] + ratios[side] * gap0
    return out
