"""Small videos written from generated frames, for the capture-from-video tests."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from render_core.media.encode import VideoWriter


def write_video(path: Path, frames: Iterable[np.ndarray], fps: int = 10, crf: int = 16) -> Path:
    """An H.264 MP4 of uint8 RGB frames (H, W, 3), all of one size."""
    frames = iter(frames)
    first = next(frames)
    h, w = first.shape[:2]
    with VideoWriter(path, Fraction(fps), w, h, crf=crf, preset="ultrafast") as out:
        out.write(first)
        for frame in frames:
            out.write(frame)
    return path


def noise_image(size: tuple[int, int] = (160, 120), seed: int = 0) -> np.ndarray:
    """Uint8 RGB noise in 4 px blocks: sharp, full of corners."""
    w, h = size
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (h // 4, w // 4, 3), dtype=np.uint8)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)


def blurred(image: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(image, (0, 0), sigma) if sigma > 0 else image.copy()
