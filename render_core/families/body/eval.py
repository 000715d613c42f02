"""Held-out report of the body family.

- PSNR / SSIM of the generated held-out sequence (G fed back its own output, as at inference).
- Nearest-pose baseline: for each held-out frame, the training frame whose normalized pose
  (hip-centred, divided by torso length) is nearest, pasted as is.
- E_warp of the generated sequence with the real sequence's flow, and of the real sequence.
- Pose distance: MediaPipe re-tracks the generated frames and the real frames; mean joint
  distance to the input joints (model px) at the positions the crop images hold them
  (`PersonCrop.image_shift`). The real frames' distance is the detector's noise floor.

Convention: frames (H, W, 3) float32 RGB [0, 1] at model resolution; joints (N, 33, 4) model px.
"""

from __future__ import annotations

import cv2
import numpy as np

from render_core.families.body.novelty import CORE_JOINTS, nearest_poses, normalized_poses
from render_core.metrics.image import psnr, ssim
from render_core.metrics.temporal import warping_error


def nearest_pose_indices(query: np.ndarray, bank: np.ndarray) -> np.ndarray:
    """For each query pose (Q, 33, 4), the index of the nearest bank pose (B, 33, 4)."""
    return nearest_poses(normalized_poses(query), normalized_poses(bank))[0]


def retrack(frames: list[np.ndarray], upscale: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """MediaPipe joints of small model-resolution frames (upscaled first: the detector needs
    pixels), as (N, 33, 4) model px and valid (N,)."""
    from render_core.tracking.body import BodyTracker, BodyTrackerConfig

    joints = np.full((len(frames), 33, 4), np.nan, np.float32)
    with BodyTracker(BodyTrackerConfig(segmentation=False)) as tracker:
        for i, f in enumerate(frames):
            big = cv2.resize(f, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_CUBIC)
            u8 = np.clip(big * 255 + 0.5, 0, 255).astype(np.uint8)
            j, _ = tracker.process(u8)
            if j is not None:
                joints[i] = j / np.array([upscale, upscale, upscale, 1], np.float32)
    return joints, np.isfinite(joints[:, 0, 0])


def _joint_distances(tracked: np.ndarray, ok: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(N, 13) px distance of each core joint, NaN where the reference joint is not visible or
    the frame was not re-tracked."""
    idx = list(CORE_JOINTS)
    vis = (np.nan_to_num(reference[:, idx, 3]) >= 0.5) & ok[:, None]
    d = np.linalg.norm(tracked[:, idx, :2] - reference[:, idx, :2], axis=-1)
    return np.where(vis, d, np.nan)


def pose_distance(tracked: np.ndarray, ok: np.ndarray, reference: np.ndarray) -> float:
    """Mean px distance of visible core joints between re-tracked and reference joints."""
    d = _joint_distances(tracked, ok, reference)
    return float(np.nanmean(d)) if np.isfinite(d).any() else float("nan")


def frame_pose_distances(tracked: np.ndarray, ok: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(N,) mean px distance of each frame's visible core joints (NaN: none to compare)."""
    d = _joint_distances(tracked, ok, reference)
    n = np.isfinite(d).sum(axis=1)
    return np.where(n > 0, np.nansum(d, axis=1) / np.maximum(n, 1), np.nan)


def image_scores(fakes: list[np.ndarray], reals: list[np.ndarray], prefix: str) -> dict[str, float]:
    return {
        f"{prefix}psnr": float(np.mean([psnr(a, b) for a, b in zip(fakes, reals, strict=True)])),
        f"{prefix}ssim": float(np.mean([ssim(a, b) for a, b in zip(fakes, reals, strict=True)])),
    }


def full_report(
    fakes: list[np.ndarray],
    reals: list[np.ndarray],
    joints: np.ndarray,
    baseline: list[np.ndarray],
) -> dict[str, float | None]:
    """Everything in the module doc for one held-out sequence."""
    report = {**image_scores(fakes, reals, ""), **image_scores(baseline, reals, "baseline_")}
    if len(fakes) >= 2:
        report["ewarp"] = warping_error(fakes, flow_from=reals)
        report["ewarp_real"] = warping_error(reals)
    tracked_fake, ok_fake = retrack(fakes)
    tracked_real, ok_real = retrack(reals)
    report["pose_dist_px"] = pose_distance(tracked_fake, ok_fake, joints)
    report["pose_dist_real_px"] = pose_distance(tracked_real, ok_real, joints)
    report["pose_detect_rate"] = float(ok_fake.mean())
    # None where undefined (no detection): keeps the JSON summary valid.
    return {k: (v if np.isfinite(v) else None) for k, v in report.items()}
