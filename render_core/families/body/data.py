"""Training data of the body family: a clip + its body track -> (stick figure, frame) pairs of
consecutive frames at the model resolution.

The model sees a fixed person-centred crop: the union of the person's joints over the whole clip
(robust percentiles), padded for hair and feet, widened/heightened to the model's aspect ratio.
One crop per clip keeps the camera still for the model, as the paper's static-camera footage is.

Convention: `PersonCrop` maps frame px (x right, y down) to model px by x' = (x - x0) * s,
y' = (y - y0) * s; model images are (H, W); stored frames/poses are uint8 RGB (N, H, W, 3) to
bound memory (a 160x96 clip of 1000 frames is 46 MB); joints (T, 33, 4) px.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from render_core.errors import InputError
from render_core.families.body.stick_figure import StickFigureConfig, render_stick_figure
from render_core.media.frames import to_uint8
from render_core.media.resample import warp_affine_antialiased
from render_core.training.split import run_begins


@dataclass(frozen=True)
class PersonCrop:
    """Frame px -> model px: scale `s` about the crop origin (x0, y0); model size (h, w)."""

    x0: float
    y0: float
    s: float
    h: int
    w: int

    def matrix(self) -> np.ndarray:
        """2x3 affine for cv2.warpAffine (frame -> model)."""
        return np.array([[self.s, 0, -self.x0 * self.s], [0, self.s, -self.y0 * self.s]], np.float64)

    @property
    def image_shift(self) -> float:
        """Model px by which `image` places content right of and below `joints`' positions.

        Why: joints use MediaPipe's convention (0 at the frame's left edge), cv2.warpAffine
        puts pixel centres at integers, so a frame point lands 0.5 * (1 - s) px further along
        each axis in the image than in `joints`. Training learns the constant offset; measuring
        a detector on the images against `joints` must add it."""
        return 0.5 * (1.0 - self.s)

    def joints(self, joints: np.ndarray) -> np.ndarray:
        """(..., 33, 4) frame px -> model px (z scaled, visibility kept)."""
        out = np.array(joints, np.float32, copy=True)
        out[..., 0] = (out[..., 0] - self.x0) * self.s
        out[..., 1] = (out[..., 1] - self.y0) * self.s
        out[..., 2] *= self.s
        return out

    def image(self, frame: np.ndarray) -> np.ndarray:
        """Crop+resize a frame (any dtype, (H, W[, C])), box-filtered where it shrinks; outside the
        frame repeats the border."""
        return warp_affine_antialiased(frame, self.matrix(), (self.w, self.h))

    def to_dict(self) -> dict:
        return {"x0": self.x0, "y0": self.y0, "s": self.s, "h": self.h, "w": self.w}


def person_crop(
    joints: np.ndarray, valid: np.ndarray, size: tuple[int, int], pad: float = 0.12
) -> PersonCrop:
    """The clip's person box (2nd..98th percentile of visible joints over all frames), padded
    by `pad` x its height on every side (more above: hair is above the eyes), at aspect W/H."""
    h, w = size
    vis = valid[:, None] & (np.nan_to_num(joints[..., 3]) >= 0.5) & np.isfinite(joints[..., :2]).all(-1)
    if vis.sum() < 4:
        raise InputError(None, "no visible body in the clip: cannot build a person crop")
    xs, ys = joints[..., 0][vis], joints[..., 1][vis]
    lo_x, hi_x = np.percentile(xs, [2, 98])
    lo_y, hi_y = np.percentile(ys, [2, 98])
    bh = hi_y - lo_y
    top, bottom = lo_y - 1.8 * pad * bh, hi_y + pad * bh
    box_h = bottom - top
    box_w = max(hi_x - lo_x + 2 * pad * bh, box_h * w / h)
    box_h = box_w * h / w
    cx, cy = 0.5 * (lo_x + hi_x), 0.5 * (top + bottom)
    return PersonCrop(float(cx - box_w / 2), float(cy - box_h / 2), float(h / box_h), h, w)


@dataclass
class BodyFrames:
    """A clip at model resolution: poses/frames uint8 (T, H, W, 3); joints (T, 33, 4) model px;
    valid (T,); masks float32 (T, H, W) person masks or None."""

    poses: np.ndarray
    frames: np.ndarray
    joints: np.ndarray
    valid: np.ndarray
    crop: PersonCrop
    masks: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.valid)


def pose_image(
    joints_model: np.ndarray, crop: PersonCrop, style: StickFigureConfig | None = None
) -> np.ndarray:
    """Stick figure (H, W, 3) float32 of model-px joints (33, 4); black when all NaN."""
    return render_stick_figure(joints_model, (crop.h, crop.w), style)


def build_body_frames(
    frames: Iterable[tuple[int, np.ndarray]],
    joints: np.ndarray,
    valid: np.ndarray,
    crop: PersonCrop,
    masks=None,
    style: StickFigureConfig | None = None,
    step=None,
    keep: np.ndarray | None = None,
) -> BodyFrames:
    """Crop every decoded frame `(index, uint8 RGB)` and draw its pose; with `keep` (ascending
    clip frame indices) only those frames, in that order (memory bounded by len(keep), not by
    the clip). `masks(t, (w, h))` gives a frame-size person mask (e.g. `BodyTrack.mask`);
    `step(done, total)` reports progress."""
    keep = np.arange(len(valid)) if keep is None else np.asarray(keep, int)
    slot = {int(t): k for k, t in enumerate(keep)}
    last = int(keep[-1]) if len(keep) else -1
    mj = crop.joints(joints[keep])
    ok = np.asarray(valid, bool)[keep]
    poses = np.zeros((len(keep), crop.h, crop.w, 3), np.uint8)
    out = np.zeros_like(poses)
    mask_arr = np.zeros((len(keep), crop.h, crop.w), np.float32) if masks is not None else None
    for i, frame in frames:
        if i > last:
            break
        k = slot.get(i)
        if k is None:
            continue
        out[k] = crop.image(frame)
        if ok[k]:
            poses[k] = to_uint8(pose_image(mj[k], crop, style))
        if mask_arr is not None:
            m = masks(i, (frame.shape[1], frame.shape[0]))
            mask_arr[k] = crop.image(m) if m is not None else 0.0
        if step is not None:
            step(i + 1, last + 1)
    return BodyFrames(poses, out, mj, ok, crop, mask_arr)


def consecutive_pairs(
    valid: np.ndarray, indices: np.ndarray, frame_index: np.ndarray | None = None
) -> np.ndarray:
    """(N, 2) pairs (t, t+1), both valid and both in `indices` (the training or held-out set);
    where the arrays hold a selection of a clip's frames, `frame_index` (their clip frame
    indices) keeps only pairs of frames that follow each other in the clip."""
    member = np.zeros(len(valid), bool)
    member[np.asarray(indices, int)] = True
    ok = member & np.asarray(valid, bool)
    follows = ok[:-1] & ok[1:]
    if frame_index is not None:
        follows &= ~run_begins(frame_index)[1:]
    t = np.nonzero(follows)[0]
    return np.stack([t, t + 1], 1)
