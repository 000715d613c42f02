"""The first frames of a clip, body-tracked: what the body family's renderer and warp-input
tests build their tiny models and tracks from."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from render_core.media.decode import VideoReader
from render_core.media.frames import to_float
from render_core.tracking.body import BodyTracker


def track_first_frames(clip: Path, n: int) -> tuple[np.ndarray, list, list[np.ndarray]]:
    """(joints (n, 33, 4) px, NaN where untracked; person masks; frames float32 RGB [0, 1])."""
    joints = np.full((n, 33, 4), np.nan, np.float32)
    masks, frames = [], []
    with VideoReader(clip) as reader, BodyTracker() as tracker:
        for i, frame in reader.frames(0, n):
            j, m = tracker.process(frame)
            joints[i] = j if j is not None else np.nan
            masks.append(m)
            frames.append(to_float(frame))
    return joints, masks, frames
