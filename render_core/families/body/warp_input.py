"""The warp-guided body generator's third input: a real frame of the clip moved to the target
skeleton by the warp renderer's per-limb warp, over the clean plate.

Why (DESIGN.md section 4): a generator that redraws the whole person from a stick figure after
minutes of CPU training outputs a blurred likeness; the moved real pixels keep the dress's pattern
and the face, and the network only corrects them and draws what moving cannot give
(disocclusions, the torso behind a raised arm). Training pairs take their source frame from
elsewhere in the clip (up to `source_offset` training frames away), so the network learns to move
limbs rather than copy the frame it is asked for.

Convention: model-space images (h, w, 3) float32 RGB [0, 1] (stored frames uint8); masks (h, w)
float32 [0, 1]; joints (33, 4) model px.
"""

from __future__ import annotations

import numpy as np
import torch

from render_core.families.body.data import BodyFrames
from render_core.families.body.novelty import nearest_poses, normalized_poses
from render_core.media.frames import to_float
from render_core.warp.body import warp_body
from render_core.warp.clean_plate import CleanPlateConfig, build_clean_plate, sample_indices

SOURCE_MARGIN = 0.05  # torso lengths a new held-out source must be closer by (`steady_sources`)


def model_plate(frames: BodyFrames, rows: np.ndarray, samples: int = 48) -> np.ndarray | None:
    """(h, w, 3) clean plate at model resolution from the frames `rows` (training frames only,
    so held-out frames never leak into their own input); None without person masks."""
    if frames.masks is None or len(rows) == 0:
        return None
    valid = np.zeros(len(frames), bool)
    valid[np.asarray(rows, int)] = True
    valid &= frames.valid
    picks = sample_indices(valid, samples)
    cfg = CleanPlateConfig(samples=samples, max_side=max(frames.crop.h, frames.crop.w))
    plate = build_clean_plate(((frames.frames[i], frames.masks[i]) for i in picks), cfg)
    return None if plate is None else plate.image


def warp_to(
    frame: np.ndarray,
    mask: np.ndarray | None,
    src_joints: np.ndarray,
    dst_joints: np.ndarray,
    plate: np.ndarray | None,
) -> np.ndarray:
    """`frame` (uint8 or float) with its person moved from `src_joints` to `dst_joints`, the
    vacated pixels from `plate` (or inpainted). Joints missing in `dst_joints` stay where they
    were; without a mask or a finite source pose the frame is returned as is."""
    image = to_float(frame) if frame.dtype == np.uint8 else np.asarray(frame, np.float32)
    src = np.asarray(src_joints, np.float32)
    if mask is None or not np.isfinite(src[:, :2]).all():
        return image
    dst = np.array(dst_joints, np.float32, copy=True)
    missing = ~np.isfinite(dst[:, :2]).all(axis=1)
    dst[missing] = src[missing]
    valid = None if plate is None else np.ones(image.shape[:2], np.float32)
    out, _ = warp_body(image, mask, src, dst, plate, valid)
    return out


def pick_sources(
    rng: np.random.Generator, train: np.ndarray, targets: np.ndarray, max_offset: int, same_share: float
) -> np.ndarray:
    """A source position for each target position: another training frame up to `max_offset`
    training frames away (never the target itself), or the target with probability `same_share`
    (the unedited case: the warp is the identity)."""
    train = np.sort(np.asarray(train, int))
    k = np.clip(np.searchsorted(train, targets), 0, len(train) - 1)
    span = max(1, min(int(max_offset), len(train) - 1))
    step = rng.integers(1, span + 1, size=len(targets)) * rng.choice([-1, 1], size=len(targets))
    j = k + step
    j = np.where((j < 0) | (j >= len(train)), k - step, j)  # reflect at the ends
    src = train[np.clip(j, 0, len(train) - 1)]
    same = rng.random(len(targets)) < same_share
    return np.where(same | (len(train) < 2), targets, src)


def steady_sources(query: np.ndarray, bank: np.ndarray, margin: float = SOURCE_MARGIN) -> np.ndarray:
    """For consecutive query poses (Q, 33, 4), the index of a bank pose (B, 33, 4) near each,
    kept from one frame to the next unless another is closer by more than `margin` torso
    lengths. Why: a source that jumps between training frames makes the moved frames flicker,
    where a clip's own frames (the renderer's sources) move smoothly."""
    q, b = normalized_poses(query), normalized_poses(bank)
    best, best_d = nearest_poses(q, b)
    out = best.copy()
    for i in range(1, len(q)):
        prev = out[i - 1]
        if nearest_poses(q[i : i + 1], b[prev : prev + 1])[1][0] <= best_d[i] + margin:
            out[i] = prev
    return out


def warped_tensor(
    frames: BodyFrames, sources: np.ndarray, targets: np.ndarray, plate: np.ndarray | None, dev
) -> torch.Tensor:
    """(B, 3, h, w) each source frame moved to its target's joints."""
    ims = [
        warp_to(frames.frames[s], _mask(frames, s), frames.joints[s], frames.joints[t], plate)
        for s, t in zip(sources, targets, strict=True)
    ]
    return torch.from_numpy(np.stack(ims)).permute(0, 3, 1, 2).contiguous().to(dev)


def _mask(frames: BodyFrames, i: int) -> np.ndarray | None:
    return None if frames.masks is None else frames.masks[i]
