"""Stabilized face crops: one similarity transform per frame, shared by conditioning and target.

The crop centre, size and roll come from the landmarks (mean point, face extent, eye line)
and are smoothed causally (exponential moving average) from the clip's first frame; an invalid
frame restarts smoothing. Training and rendering read the same sequence (`crop_sequence`, kept
per clip by `render.sources.ClipTracks.face_crop`), so a render starting anywhere in the clip
places each frame's crop exactly where the model saw that frame's crop.

Convention: a CropTransform maps full-frame pixels (x right, y down) to crop pixels of a
(size, size) crop: p_crop = s * R(-roll) @ (p - centre) + size / 2. `matrix` is the 2x3
affine form for cv2.warpAffine. Landmark z is scaled by s too (depth stays in x-pixel units).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from render_core.media.resample import warp_affine_antialiased

LEFT_EYE_CORNERS = (263, 362)  # subject's left eye: outer, inner
RIGHT_EYE_CORNERS = (33, 133)


@dataclass(frozen=True)
class CropParams:
    """centre (x, y) px, side px of the square crop in the frame, roll radians (eye line)."""

    cx: float
    cy: float
    side: float
    roll: float


@dataclass(frozen=True)
class CropTransform:
    params: CropParams
    size: int

    @property
    def scale(self) -> float:
        return self.size / self.params.side

    @property
    def matrix(self) -> np.ndarray:
        """(2, 3) float64 full-frame px -> crop px."""
        p, s = self.params, self.scale
        c, n = np.cos(p.roll), np.sin(p.roll)
        rot = s * np.array([[c, n], [-n, c]])
        t = np.array([self.size / 2, self.size / 2]) - rot @ np.array([p.cx, p.cy])
        return np.concatenate([rot, t[:, None]], axis=1)

    def points(self, pts: np.ndarray) -> np.ndarray:
        """pts: (N, 2 or 3) frame px -> crop px (z scaled by the crop scale)."""
        m = self.matrix
        out = np.array(pts, np.float32, copy=True)
        out[:, :2] = pts[:, :2] @ m[:, :2].T + m[:, 2]
        if out.shape[1] > 2:
            out[:, 2] = pts[:, 2] * self.scale
        return out

    def crop(self, frame: np.ndarray) -> np.ndarray:
        """frame: (H, W, 3) -> (size, size, 3), same dtype; box-filtered where it shrinks (no
        aliasing), borders replicated."""
        return warp_affine_antialiased(frame, self.matrix, (self.size, self.size))

    def inside(self, frame_hw: tuple[int, int]) -> np.ndarray:
        """(size, size) bool: crop pixels whose source lies inside a (H, W) frame.

        Why: where the crop reaches past the frame edge, `crop` fills in replicated border
        pixels; they are never composited back, so training and evaluation ignore them."""
        h, w = frame_hw
        ones = np.ones((h, w), np.float32)
        src = cv2.warpAffine(ones, self.matrix, (self.size, self.size), flags=cv2.INTER_LINEAR, borderValue=0)
        return src > 0.999

    def uncrop(self, image: np.ndarray, frame_hw: tuple[int, int]) -> np.ndarray:
        """Inverse warp of a crop-sized image back onto a (H, W) frame canvas (zeros outside)."""
        h, w = frame_hw
        inv = cv2.invertAffineTransform(self.matrix)
        return cv2.warpAffine(image, inv, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)


def raw_params(landmarks: np.ndarray, margin: float = 1.9) -> CropParams:
    """landmarks: (478, 3) px -> the crop of this frame alone (side = margin x face extent)."""
    xy = landmarks[:, :2].astype(np.float64)
    left = xy[list(LEFT_EYE_CORNERS)].mean(0)
    right = xy[list(RIGHT_EYE_CORNERS)].mean(0)
    d = left - right
    roll = float(np.arctan2(d[1], d[0]))
    extent = float(np.max(xy.max(0) - xy.min(0)))
    c = xy.mean(0)
    return CropParams(float(c[0]), float(c[1]), margin * extent, roll)


# The zoom dead zone of a crop with slack: |ln(face side / crop side)| past which the crop
# rezooms. Why this wide: at a fixed distance the face's landmark extent changes as the head
# nods and turns, which must not zoom a still crop; an approach to the camera does
# (measurements: docs/performance.md).
ZOOM_SLACK = 0.25


class CropSmoother:
    """Causal EMA over crop parameters (alpha = weight of the new frame).

    A small alpha keeps the crop nearly still in the frame, so background and torso stay put in
    crop coordinates (a personal model learns them once) while the head moves inside it; alpha 0
    holds the first frame's crop, upright (roll 0). With `slack` > 0 the crop catches up when
    the face drifts more than `slack` crop sides from the crop centre, or its size leaves the
    zoom dead zone (`ZOOM_SLACK`); the weight rises linearly to 1 at twice either limit, so fast
    head motion or a walk toward the camera never leaves the face outside the crop.
    """

    def __init__(self, alpha: float = 0.25, margin: float = 1.9, slack: float = 0.0) -> None:
        self.alpha = alpha
        self.margin = margin
        self.slack = slack
        self._state: np.ndarray | None = None

    def weight(self, new: np.ndarray) -> float:
        """The EMA weight of a new parameter vector (alpha, raised while the face drifts)."""
        if self.slack <= 0 or self._state is None:
            return self.alpha
        drift = float(np.hypot(*(new[:2] - self._state[:2]))) / self._state[2]
        zoom = abs(float(np.log(new[2] / self._state[2])))
        over = max(drift / self.slack, zoom / ZOOM_SLACK) - 1.0
        return float(np.clip(self.alpha + over, self.alpha, 1.0))

    def reset(self) -> None:
        self._state = None

    def update(self, landmarks: np.ndarray | None) -> CropParams | None:
        """Feed one frame's landmarks (None when invalid: the last crop is held, smoothing restarts)."""
        if landmarks is None or not np.all(np.isfinite(landmarks)):
            if self._state is None:
                return None
            s = self._state
            self._state = None
            return CropParams(*map(float, s))
        r = raw_params(landmarks, self.margin)
        # A held crop (alpha 0) stays upright: rolling it with the head would rotate the
        # background it holds still (each catch-up left the crop tilted for the frames after it;
        # docs/presets.md).
        v = np.array([r.cx, r.cy, r.side, r.roll if self.alpha > 0 else 0.0])
        a = self.weight(v)
        self._state = v if self._state is None else (1 - a) * self._state + a * v
        return CropParams(*map(float, self._state))


def crop_sequence(
    landmarks: np.ndarray, valid: np.ndarray, alpha: float = 0.25, slack: float = 0.0
) -> list[CropParams | None]:
    """landmarks: (T, 478, 3), valid: (T,) -> each frame's smoothed crop from the clip's first
    frame on (None before the first face; an invalid frame holds the last crop and restarts)."""
    sm = CropSmoother(alpha, slack=slack)
    return [sm.update(landmarks[t] if valid[t] else None) for t in range(len(valid))]


def clip_crops(
    landmarks: np.ndarray, valid: np.ndarray, size: int, alpha: float = 0.25, slack: float = 0.0
) -> list[CropTransform | None]:
    """landmarks: (T, 478, 3), valid: (T,) -> per-frame transforms (None before the first face)."""
    params = crop_sequence(landmarks, valid, alpha, slack)
    return [None if p is None else CropTransform(p, size) for p in params]


# The head mask the renderer pastes a generated crop back under.
MASK_DILATE = 0.12  # fraction of the face extent the head mask grows by
MASK_FEATHER = 0.06  # Gaussian feather (sigma) as a fraction of the crop size


def head_mask(points: np.ndarray, size: int) -> np.ndarray:
    """(S, S) float32 soft mask: the convex hull of `points` (crop px) grown and feathered."""
    hull = cv2.convexHull(points[:, :2].astype(np.float32))
    m = np.zeros((size, size), np.float32)
    cv2.fillConvexPoly(m, np.round(hull).astype(np.int32), 1.0)
    grow = max(1, int(MASK_DILATE * np.ptp(points[:, :2], axis=0).max()))
    m = cv2.dilate(m, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    return cv2.GaussianBlur(m, (0, 0), MASK_FEATHER * size)
