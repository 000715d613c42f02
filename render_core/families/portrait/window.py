"""Space-time conditioning window: the last N_w frames' maps stacked, current frame last.

Convention: per-frame maps are (S, S, 9) float32 [0, 1] (shaded|corr|gaze); the window is the
network input (9 * N_w, S, S) float32, oldest first. At a sequence start the first frame is
repeated, matching what `ConditioningWindow` does when streaming.
"""

from __future__ import annotations

from collections import deque

import numpy as np


def window_indices(t: int, n_w: int, start: int = 0) -> list[int]:
    """Frame indices of the window ending at t, clamped at the sequence start."""
    return [max(start, t - k) for k in range(n_w - 1, -1, -1)]


def stack_window(maps: list[np.ndarray]) -> np.ndarray:
    """list of N_w (S, S, C) maps, oldest first -> (C * N_w, S, S), a view of channels-last
    memory: the layout oneDNN convolves, so the renderer hands the network its input without
    a reorder (reordering an NCHW window cost a sixth to a quarter of a frame; docs/performance.md)."""
    return np.concatenate(maps, axis=-1).transpose(2, 0, 1)


class ConditioningWindow:
    """Streaming form: push each frame's maps in order, read the current window."""

    def __init__(self, n_w: int) -> None:
        self.n_w = n_w
        self._maps: deque[np.ndarray] = deque(maxlen=n_w)

    def reset(self) -> None:
        self._maps.clear()

    def push(self, maps: np.ndarray) -> np.ndarray:
        """maps: (S, S, C) of the current frame -> (C * N_w, S, S) window."""
        if not self._maps:
            self._maps.extend([maps] * (self.n_w - 1))
        self._maps.append(maps)
        return stack_window(list(self._maps))
