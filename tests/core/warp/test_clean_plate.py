"""Clip-wide clean plate: built from frames across a clip, it fills what a moved limb vacates."""

from __future__ import annotations

import numpy as np

from render_core.metrics.image import psnr
from render_core.warp.body import warp_body
from render_core.warp.clean_plate import (
    CleanPlate,
    CleanPlateConfig,
    PlateCache,
    build_clean_plate,
    plate_of_clip,
    sample_indices,
)
from tests.core.warp.test_body import _rotate_about, _synthetic_person


def _walking_clip(n: int = 12):
    """(frames, masks, bg, still frame, still mask, joints): the synthetic person walks across a
    white, lightly textured background; the still frame has them where they stand to be edited."""
    frame, person, joints, _ = _synthetic_person()
    h, w = person.shape
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    bg = np.stack([0.92 + 0.05 * np.sin(xx / 6.0), 0.95 + 0.04 * np.cos(yy / 5.0), 0.97 + 0 * xx], -1)
    bg = bg.astype(np.float32)
    still = np.where(person[..., None] > 0, frame, bg)
    frames, masks = [], []
    for dx in np.linspace(-120, 150, n).round().astype(int):
        m = np.roll(person, dx, axis=1)
        if dx > 0:
            m[:, :dx] = 0
        else:
            m[:, dx:] = 0
        frames.append(np.where(m[..., None] > 0, np.roll(frame, dx, axis=1), bg).astype(np.float32))
        masks.append(m)
    return frames, masks, bg, still.astype(np.float32), person, joints


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR (dB) of two pixel sets (N, 3) in [0, 1]."""
    return float(10 * np.log10(1.0 / max(float(np.mean((a - b) ** 2)), 1e-10)))


def test_plate_sees_behind_the_person_and_inpaints_the_rest():
    frames, masks, bg, *_ = _walking_clip()
    plate = build_clean_plate(zip(frames, masks, strict=True), CleanPlateConfig(grow=0.01))
    assert plate is not None and plate.seen.mean() > 0.99
    assert psnr(plate.image, bg) > 35
    # One frame only: the person's pixels were never background; they are inpainted, not black.
    one = build_clean_plate([(frames[5], masks[5])], CleanPlateConfig(grow=0.01))
    hole = one.seen < 0.5
    assert hole.any() and one.image[hole].mean() > 0.8
    assert build_clean_plate([]) is None


def test_vacated_region_matches_the_background():
    """Move an arm away on a white-background clip: where it was shows the background (>= 30 dB)."""
    frames, masks, bg, still, person, joints = _walking_clip()
    plate = build_clean_plate(zip(frames, masks, strict=True))
    dst = _rotate_about(joints, 11, [13, 15, 17, 19, 21], -np.deg2rad(100))  # left arm out
    image, valid = plate.at(still.shape[:2])
    out, _ = warp_body(still, person, joints, dst, image, valid)
    # The old arm's pixels that the moved person does not cover any more.
    arm = np.zeros_like(person, bool)
    arm[60:165, 173:195] = True
    new_out, _ = warp_body(np.ones_like(still), person, joints, dst, np.zeros_like(still), valid)
    vacated = arm & (person > 0.5) & (new_out.mean(axis=2) < 0.02)  # background there now
    assert vacated.sum() > 300
    db = _psnr(out[vacated], bg[vacated])
    assert db >= 30.0, db
    # The streaming fallback (this frame only: nothing seen behind the arm) inpaints instead.
    no_plate, _ = warp_body(still, person, joints, dst)
    assert _psnr(no_plate[vacated], bg[vacated]) < db


def test_clip_sampling_and_cache(tmp_path):
    frames, masks, bg, *_ = _walking_clip()
    valid = np.ones(len(frames), bool)
    valid[3] = False
    idx = sample_indices(valid, 5)
    assert len(idx) == 5 and 3 not in idx and idx[0] == 0 and idx[-1] == len(frames) - 1
    builds = []

    def build() -> CleanPlate | None:
        builds.append(1)
        return plate_of_clip(lambda t: frames[t], lambda t, wh: masks[t], valid, CleanPlateConfig(samples=8))

    cache = PlateCache(tmp_path, capacity=1)
    first = cache.get("clip", build)
    again = PlateCache(tmp_path).get("clip", build)  # a new process: from disk
    assert len(builds) == 1 and np.abs(again.image - first.image).max() < 1 / 255 + 1e-6
    assert list(tmp_path.glob("*.npz")) == [tmp_path / "clip.npz"]
