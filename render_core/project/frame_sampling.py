"""Frames for camera recovery from a video: split the clip into equal windows and keep the
sharpest frame of each, written as JPEG files.

Why windows: a walk-around clip has thousands of near-duplicate frames; structure from motion
needs a few hundred with even coverage, and motion blur costs it features, so each window
gives its least blurred frame (variance of the Laplacian, the usual focus measure). Frames
stream through: memory holds the current frame and the window's best, never the clip.

Convention: decoded frames are uint8 RGB (H, W, 3) with the clip's rotation applied; written
files are named by their frame index in the clip (`000123.jpg`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from render_core.errors import InputError
from render_core.jobs import JobContext
from render_core.media.decode import VideoReader
from render_core.media.probe import probe

MIN_FRAMES = 8  # fewer frames than this cannot show a subject from enough sides


@dataclass(frozen=True)
class SamplingConfig:
    """target: frames kept from a longer clip (one per window; a shorter clip keeps all);
    max_size: long side of the written frames in px (larger clips are downscaled)."""

    target: int = 200
    max_size: int = 1600
    jpeg_quality: int = 95


@dataclass(frozen=True)
class SampledFrames:
    """paths: the written frames in clip order; indices: their frame numbers in the clip;
    size (w, h) of the written frames; frame_count: the clip's frames; decoded: how many of
    them could be decoded (fewer when the file is damaged)."""

    paths: tuple[Path, ...]
    indices: tuple[int, ...]
    size: tuple[int, int]
    frame_count: int
    decoded: int


def sharpness(frame: np.ndarray) -> float:
    """Variance of the Laplacian of the grey image: high for a sharp frame, low for a blurred
    one. frame: uint8 RGB (H, W, 3)."""
    grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_32F).var())


def window_starts(frame_count: int, target: int) -> np.ndarray:
    """First frame of each window, plus `frame_count` at the end: `target` windows of (nearly)
    equal length, or one window per frame when the clip has no more frames than that."""
    n = min(frame_count, max(1, target))
    return np.unique(np.linspace(0, frame_count, n + 1).round().astype(int))


def sharpest_per_window(
    frames: Iterable[tuple[int, np.ndarray]], starts: np.ndarray
) -> Iterator[tuple[int, np.ndarray]]:
    """From (index, frame) pairs in clip order, yield the sharpest of each window
    [starts[k], starts[k + 1]) once the window is complete. Holds at most two frames."""
    window, best, best_score = 0, None, -1.0
    for index, frame in frames:
        while index >= starts[window + 1]:
            if best is not None:
                yield best
            window, best, best_score = window + 1, None, -1.0
        score = sharpness(frame)
        if score > best_score:
            best, best_score = (index, frame), score
    if best is not None:
        yield best


def output_size(width: int, height: int, max_size: int) -> tuple[int, int]:
    """(w, h) with the long side at most `max_size`, the aspect ratio kept."""
    scale = min(1.0, max_size / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def write_jpeg(path: Path, frame: np.ndarray, quality: int) -> None:
    ok, data = cv2.imencode(".jpg", frame[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"JPEG encoding failed for {path.name}")
    path.write_bytes(data.tobytes())


def sample_frames(video: str | Path, folder: Path, cfg: SamplingConfig, ctx: JobContext) -> SampledFrames:
    """Decode `video` once and write the sharpest frame of each window into `folder`.
    InputError naming the video when it is unreadable or too short."""
    info = probe(video)
    if info.frame_count < MIN_FRAMES:
        raise InputError(
            video, f"too short: {info.frame_count} frames (a walk-around video needs at least {MIN_FRAMES})"
        )
    size = output_size(info.width, info.height, cfg.max_size)
    starts = window_starts(info.frame_count, cfg.target)
    folder.mkdir(parents=True, exist_ok=True)
    paths, indices, decoded = [], [], 0

    def reported(reader: VideoReader) -> Iterator[tuple[int, np.ndarray]]:
        nonlocal decoded
        for index, frame in reader.frames(size=size):
            ctx.step(index, info.frame_count, f"choosing frames {index}/{info.frame_count}")
            decoded += 1
            yield index, frame

    with VideoReader(video, info) as reader:
        for index, frame in sharpest_per_window(reported(reader), starts):
            path = folder / f"{index:06d}.jpg"
            write_jpeg(path, frame, cfg.jpeg_quality)
            paths.append(path)
            indices.append(index)
    if decoded < MIN_FRAMES:
        raise InputError(video, f"only {decoded} frames could be decoded (at least {MIN_FRAMES} needed)")
    return SampledFrames(tuple(paths), tuple(indices), size, info.frame_count, decoded)
