"""Clips made on the fly for tracking tests."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest


def write_clip(path: Path, frames: list[np.ndarray], fps: int = 30) -> Path:
    """uint8 RGB frames -> a small H.264 mp4 (test input only)."""
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=fps)
        s.width, s.height, s.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        s.options = {"crf": "18", "preset": "ultrafast"}
        for f in frames:
            out.mux(s.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        out.mux(s.encode())
    return path


def read_frames(path: Path, n: int) -> list[np.ndarray]:
    from render_core.media.decode import VideoReader

    with VideoReader(path) as r:
        return [f for _, f in r.frames(0, n)]


@pytest.fixture
def clip_with_gap(small_talking_head: Path, tmp_path: Path) -> Path:
    """30 frames of the small talking head with frames 10..19 replaced by a blank wall."""
    frames = read_frames(small_talking_head, 30)
    for i in range(10, 20):
        frames[i] = np.full_like(frames[i], 128)
    return write_clip(tmp_path / "gap.mp4", frames)
