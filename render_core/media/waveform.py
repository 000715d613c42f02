"""A clip's audio as one loudness value per video frame, for drawing waveforms on a timeline.

Why per video frame: the timeline's unit is the frame, so the editor lines a reenact layer's
speech up with the target's picture frame by frame (a driving clip's values are looked up
through the layer's own driving-frame rule). Decoding streams: memory holds one audio frame and
the (N,) result, whatever the clip's length.

Convention: `peaks[k]` is the largest |sample| (channels averaged, full scale = 1) whose time
falls in [timestamps[k], timestamps[k + 1]) (the last frame lasts as long as the one before
it); frames without sound are 0. `display_level` maps a peak to 0..1 on a dB scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

from render_core.errors import InputError
from render_core.jobs import JobContext, null_context

FLOOR_DB = -48.0  # quieter than this draws as silence
SCALE = {"s16": 2.0**15, "s32": 2.0**31, "u8": 2.0**7, "flt": 1.0, "dbl": 1.0}


def mono(frame: av.AudioFrame) -> np.ndarray:
    """(samples,) float32 in [-1, 1]: the frame's channels averaged."""
    name = frame.format.name
    base = name.rstrip("p")
    a = frame.to_ndarray().astype(np.float32)
    if base == "u8":
        a = a - 128.0
    a /= np.float32(SCALE.get(base, 1.0))
    channels = len(frame.layout.channels)
    if not frame.format.is_planar:
        a = a.reshape(-1, channels).T
    return a.mean(axis=0)


def frame_peaks(
    path: str | Path, timestamps: Sequence[float], ctx: JobContext | None = None
) -> np.ndarray | None:
    """(N,) float32 peaks per video frame (see the module convention); None without audio."""
    ctx = ctx or null_context()
    ts = np.asarray(timestamps, np.float64)
    if len(ts) == 0:
        return np.zeros(0, np.float32)
    last = ts[-1] + (ts[-1] - ts[-2] if len(ts) > 1 else 1 / 30)
    peaks = np.zeros(len(ts), np.float32)
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as e:
        raise InputError(path, f"cannot read the audio ({e})") from None
    with container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        for frame in container.decode(stream):
            if frame.pts is None or frame.samples == 0:
                continue
            t0 = float(frame.pts * frame.time_base)
            x = np.abs(mono(frame))
            t = t0 + np.arange(len(x)) / frame.sample_rate
            k = np.searchsorted(ts, t, side="right") - 1
            keep = (k >= 0) & (t < last)
            if not keep.any():
                if t0 >= last:
                    break
                continue
            k, x = k[keep], x[keep]
            starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])  # samples are in time order
            runs = np.maximum.reduceat(x, starts)
            np.maximum.at(peaks, k[starts], runs)
            ctx.step(min(t0 - ts[0], last - ts[0]), last - ts[0], "reading the audio")
    return peaks


def display_level(peaks: np.ndarray) -> np.ndarray:
    """Peaks -> 0..1 heights on a dB scale (FLOOR_DB and below -> 0, full scale -> 1)."""
    db = 20 * np.log10(np.maximum(np.asarray(peaks, np.float32), 1e-6))
    return np.clip(1 - db / FLOOR_DB, 0.0, 1.0).astype(np.float32)
