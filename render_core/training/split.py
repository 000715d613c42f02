"""Train / held-out split: the last 10% of a clip's frames (contiguous) are never trained on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Split:
    train: np.ndarray  # frame indices
    heldout: np.ndarray


def heldout_split(valid: np.ndarray, fraction: float = 0.1, min_heldout: int = 1) -> Split:
    """valid: (T,) bool. The last ceil(fraction * T) frames are held out; only valid frames kept."""
    t = len(valid)
    n_out = max(min_heldout, int(np.ceil(fraction * t)))
    cut = max(0, t - n_out)
    idx = np.arange(t)
    ok = np.asarray(valid, bool)
    return Split(idx[:cut][ok[:cut]], idx[cut:][ok[cut:]])


@dataclass(frozen=True)
class FrameSelection:
    """The frames a training run keeps in memory: `frames` (N,) ascending clip frame indices;
    `train` / `heldout` positions into `frames`; `run_start` (N,) the position where each kept
    frame's run of consecutive clip frames begins (space-time windows and frame pairs must not
    reach across a gap)."""

    frames: np.ndarray
    train: np.ndarray
    heldout: np.ndarray
    run_start: np.ndarray


RUN_FRAMES = 60  # consecutive frames per kept run of a long clip (2 s at 30 fps)


def select_frames(
    valid: np.ndarray, cap: int, run_len: int | None = None, fraction: float = 0.1
) -> FrameSelection:
    """Split a clip (`heldout_split`: its last 10% never trained on) and keep at most `cap`
    frames of it. A clip that fits keeps every valid frame. A longer one keeps runs of `run_len`
    consecutive training frames spread evenly over the whole training part (a personal model
    should see the whole clip, not its first minute) and the first `fraction * cap` held-out
    frames, so memory stays bounded whatever the clip length."""
    run_len = RUN_FRAMES if run_len is None else run_len
    split = heldout_split(valid, fraction)
    train, held = split.train, split.heldout
    if len(train) + len(held) > cap:
        held = held[: max(1, int(round(fraction * cap)))] if len(held) else held
        train = _spread_runs(train, max(1, cap - len(held)), run_len)
    frames = np.concatenate([train, held]).astype(int)
    run_start = np.maximum.accumulate(np.where(run_begins(frames), np.arange(len(frames)), 0))
    return FrameSelection(frames, np.arange(len(train)), np.arange(len(train), len(frames)), run_start)


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
