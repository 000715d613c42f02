"""Conversions between decoded uint8 frames and the float images used in core.

Convention: uint8 RGB (H, W, 3) in [0, 255] at the I/O edges; float32 RGB (H, W, 3) in
[0, 1] everywhere else. `to_uint8` rounds to nearest and clips, so to_uint8(to_float(x)) == x.
"""

from __future__ import annotations

import numpy as np


def to_float(frame_u8: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] -> float32 [0, 1], same shape."""
    return np.asarray(frame_u8, dtype=np.float32) * np.float32(1.0 / 255.0)


def to_uint8(frame_f: np.ndarray) -> np.ndarray:
    """float [0, 1] -> uint8 [0, 255]: scaled, rounded to nearest, clipped (NaN becomes 0)."""
    f = np.nan_to_num(np.asarray(frame_f, dtype=np.float32), nan=0.0)
    return np.clip(np.rint(f * np.float32(255.0)), 0, 255).astype(np.uint8)


def checked_frame(frame, width: int, height: int) -> np.ndarray:
    """A writer's input as uint8 (height, width, 3) RGB; ValueError for any other shape."""
    image = np.asarray(frame)
    if image.shape != (height, width, 3):
        raise ValueError(f"frame shape {image.shape} != {(height, width, 3)}")
    return image if image.dtype == np.uint8 else to_uint8(image)
