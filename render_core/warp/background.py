"""Clean plate of the scene behind the person, built from frames as they stream.

Used by the classical body warp to fill the region a moved limb or body vacates with what was
really behind it in neighbouring frames (cv2.inpaint covers what was never seen).
Convention: frames (H, W, 3) float32 RGB [0, 1]; person masks (H, W) float32 [0, 1].
"""

from __future__ import annotations

import warnings

import cv2
import numpy as np


class BackgroundModel:
    """Clean plate of the scene behind the person, built from the frames seen so far.

    A ring of the last `capacity` frames at `scale` of full size, each with its person mask; the
    plate is the per-pixel median over the frames where that pixel was background, and `valid`
    marks pixels seen as background at least once. Memory is bounded by the ring, not the clip.
    Convention: frames (H, W, 3) float32 RGB [0, 1]; person masks (H, W) float32 [0, 1].
    """

    def __init__(self, capacity: int = 15, scale: float = 0.25, refresh_every: int = 5) -> None:
        self.capacity, self.scale, self.refresh_every = capacity, scale, refresh_every
        self.reset()

    def reset(self) -> None:
        """Forget every frame (a new sequence starts)."""
        self._frames: list[np.ndarray] = []
        self._bg: list[np.ndarray] = []
        self._since_refresh = 0
        self._plate: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self._frames)

    def update(self, frame: np.ndarray, person_mask: np.ndarray) -> None:
        """Add one frame (oldest dropped beyond capacity)."""
        small = cv2.resize(frame, None, fx=self.scale, fy=self.scale, interpolation=cv2.INTER_AREA)
        person = cv2.resize(
            person_mask.astype(np.float32), (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA
        )
        person = cv2.dilate((person > 0.05).astype(np.uint8), np.ones((3, 3), np.uint8))
        self._frames.append((np.clip(small, 0.0, 1.0) * 255).astype(np.uint8))
        self._bg.append(person == 0)
        if len(self._frames) > self.capacity:
            self._frames.pop(0)
            self._bg.pop(0)
        self._since_refresh += 1
        if self._plate is not None and self._since_refresh >= self.refresh_every:
            self._plate = None

    def plate(self, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray] | None:
        """(image (H, W, 3) float32, valid (H, W) float32) at full size `shape`, or None if empty."""
        if not self._frames:
            return None
        if self._plate is None:
            stack = np.stack(self._frames).astype(np.float32) / 255.0  # (N, h, w, 3)
            bg = np.stack(self._bg)
            stack[~bg] = np.nan
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels: never background
                med = np.nanmedian(stack, axis=0)
            valid = bg.any(axis=0).astype(np.float32)
            self._plate = (np.nan_to_num(med, nan=0.0).astype(np.float32), valid)
            self._since_refresh = 0
        img, valid = self._plate
        h, w = shape
        full = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)
        ok = cv2.resize(cv2.erode(valid, np.ones((3, 3), np.uint8)), (w, h), interpolation=cv2.INTER_NEAREST)
        return full, ok
