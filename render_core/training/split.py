"""Train / held-out split: the last 10% of a clip's frames (contiguous) are never trained on,
nor are the frames of a short guard band just before them.

Why the guard band: neighbouring frames of a video are near-copies, so without it the held-out
report measured, on its first frames, how well a method copies the last training frame (a
nearest-pose baseline pasting its neighbour scored far above the model there). The gap costs
each model `HELDOUT_GAP_S` of training footage and makes the report one of unseen frames.
Measurements: docs/performance.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HELDOUT_GAP_S = 0.5  # seconds before the held-out part that are neither trained on nor held out


@dataclass(frozen=True)
class Split:
    train: np.ndarray  # frame indices
    heldout: np.ndarray


def gap_frames(fps: float | None) -> int:
    """Frames of the guard band at `fps` (30 where the rate is unknown)."""
    return int(round(HELDOUT_GAP_S * float(fps or 30.0)))


def tracks_fps(meta: dict) -> float | None:
    """The clip's frame rate as a tracks file records it (`[num, den]`), or None."""
    rate = meta.get("fps")
    if isinstance(rate, list | tuple) and len(rate) == 2 and rate[1]:
        return rate[0] / rate[1]
    return float(rate) if isinstance(rate, int | float) and rate > 0 else None


def heldout_split(valid: np.ndarray, fraction: float = 0.1, min_heldout: int = 1, gap: int = 0) -> Split:
    """valid: (T,) bool. The last ceil(fraction * T) frames are held out and the `gap` frames
    before them (at most as many as are held out) are left out; only valid frames kept."""
    t = len(valid)
    n_out = max(min_heldout, int(np.ceil(fraction * t)))
    cut = max(0, t - n_out)
    end_train = max(0, cut - min(gap, n_out))
    idx = np.arange(t)
    ok = np.asarray(valid, bool)
    return Split(idx[:end_train][ok[:end_train]], idx[cut:][ok[cut:]])


@dataclass(frozen=True)
class FrameSelection:
    """The frames a training run keeps in memory: `frames` (N,) ascending clip frame indices;
    `train` / `heldout` positions into `frames` (any others are context before the held-out
    part); `run_start` (N,) the position where each kept frame's run of consecutive clip frames
    begins (space-time windows and frame pairs must not reach across a gap)."""

    frames: np.ndarray
    train: np.ndarray
    heldout: np.ndarray
    run_start: np.ndarray


RUN_FRAMES = 60  # consecutive frames per kept run of a long clip (2 s at 30 fps)


def select_frames(
    valid: np.ndarray,
    cap: int,
    run_len: int | None = None,
    fraction: float = 0.1,
    gap: int = 0,
    context: int = 0,
) -> FrameSelection:
    """Split a clip (`heldout_split`: its last 10% never trained on, nor the `gap` frames before
    it) and keep at most `cap` frames of it. A clip that fits keeps every valid frame. A longer
    one keeps runs of `run_len` consecutive training frames spread evenly over the whole training
    part (a personal model should see the whole clip, not its first minute) and the first
    `fraction * cap` held-out frames, so memory stays bounded whatever the clip length.
    `context`: the guard band's last frames kept as well, neither trained on nor scored, so the
    held-out part's space-time windows reach back as a render's do."""
    run_len = RUN_FRAMES if run_len is None else run_len
    split = heldout_split(valid, fraction, gap=gap)
    train, held = split.train, split.heldout
    before = np.arange(0)
    if len(held) and context > 0:
        lo = max(held[0] - context, int(train[-1]) + 1 if len(train) else 0)
        before = np.arange(lo, held[0])
        before = before[np.asarray(valid, bool)[before]]
    if len(train) + len(before) + len(held) > cap:
        held = held[: max(1, int(round(fraction * cap)))] if len(held) else held
        train = _spread_runs(train, max(1, cap - len(held) - len(before)), run_len)
    frames = np.concatenate([train, before, held]).astype(int)
    run_start = np.maximum.accumulate(np.where(run_begins(frames), np.arange(len(frames)), 0))
    n_kept = len(train) + len(before)
    return FrameSelection(frames, np.arange(len(train)), np.arange(n_kept, len(frames)), run_start)


def _spread_runs(idx: np.ndarray, keep: int, run_len: int) -> np.ndarray:
    """`keep` of the ascending indices `idx`: runs of `run_len` consecutive entries (the last one
    shorter where `keep` is not a multiple), the first at the start of `idx`, the last at its end,
    the gaps between them equal to within one entry."""
    if keep >= len(idx):
        return idx
    run_len = max(1, min(run_len, keep))
    n_runs = int(np.ceil(keep / run_len))
    lengths = np.full(n_runs, run_len)
    lengths[-1] = keep - run_len * (n_runs - 1)
    gaps = np.diff(np.linspace(0, len(idx) - keep, n_runs).round().astype(int)) if n_runs > 1 else []
    starts = np.concatenate([[0], np.cumsum(lengths[:-1] + gaps)]).astype(int)
    return idx[np.concatenate([np.arange(a, a + n) for a, n in zip(starts, lengths, strict=True)])]


def run_begins(frames: np.ndarray) -> np.ndarray:
    """(N,) bool: where ascending clip frame indices `frames` start a new run of consecutive
    frames (the first entry, and every entry after a gap)."""
    f = np.asarray(frames, int)
    begins = np.ones(len(f), bool)
    begins[1:] = f[1:] != f[:-1] + 1
    return begins


def frame_runs(frames: np.ndarray) -> list[list[int]]:
    """[first, last] of each run of consecutive clip frame indices in ascending `frames`
    (what a checkpoint records of the frames it was trained on)."""
    f = np.asarray(frames, int)
    firsts = np.nonzero(run_begins(f))[0]
    lasts = np.r_[firsts[1:] - 1, len(f) - 1] if len(f) else firsts
    return [[int(f[a]), int(f[b])] for a, b in zip(firsts, lasts, strict=True)]


def split_metadata(train_frames: np.ndarray, heldout_frames: np.ndarray) -> dict:
    """The held-out schema every family's checkpoint and report share: counts of the training
    and held-out frames and their [first, last] runs of clip frames."""
    return {
        "train_frames": int(len(train_frames)),
        "train_runs": frame_runs(np.asarray(train_frames)),
        "heldout_frames": int(len(heldout_frames)),
        "heldout_runs": frame_runs(np.asarray(heldout_frames)),
    }
