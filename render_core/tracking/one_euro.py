"""Vectorized One-Euro filter (Casiez et al. 2012) for landmark and pose smoothing.

An adaptive low-pass: the cutoff rises with speed, so slow jitter is removed strongly while fast
motion passes with little lag. Every element of the array has its own state, so one filter
smooths (478, 3) landmarks or (33, 4) joints in a few numpy ops per frame (far faster than the
PyPI package, which also mishandles arrays; docs/performance.md).

Convention: frames arrive in order at a fixed rate `freq` (Hz). A `None` frame (invalid) resets
the state, so smoothing never bridges a gap; NaN elements reset only themselves.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class OneEuroParams:
    """min_cutoff (Hz): cutoff at rest; lower = smoother when still.
    beta: speed coefficient (1/unit); higher = less lag in fast motion.
    d_cutoff (Hz): cutoff of the derivative estimate."""

    min_cutoff: float = 1.0
    beta: float = 0.05
    d_cutoff: float = 1.0

    def to_json(self) -> dict:
        return asdict(self)


def _alpha(cutoff: np.ndarray | float, freq: float) -> np.ndarray | float:
    """Smoothing factor of a first-order low-pass at `cutoff` Hz sampled at `freq` Hz."""
    tau = 1.0 / (2.0 * np.pi * cutoff)
    return 1.0 / (1.0 + tau * freq)


class OneEuroFilter:
    """Stateful filter over arrays of a fixed shape; call once per frame in order."""

    def __init__(self, params: OneEuroParams, freq: float) -> None:
        if freq <= 0:
            raise ValueError(f"freq must be > 0, got {freq}")
        self.params = params
        self.freq = float(freq)
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    def reset(self) -> None:
        self._x = None
        self._dx = None

    def __call__(self, x: np.ndarray | None) -> np.ndarray | None:
        """Filter one frame. x: any shape (constant across calls), or None for an invalid frame."""
        if x is None:
            self.reset()
            return None
        x = np.asarray(x, np.float64)
        if self._x is None or self._x.shape != x.shape:
            self._x = x.copy()
            self._dx = np.zeros_like(x)
            return x.copy()
        p = self.params
        fresh = ~np.isfinite(self._x)  # elements that were NaN restart from the raw value
        dx = (x - self._x) * self.freq
        a_d = _alpha(p.d_cutoff, self.freq)
        dx_hat = a_d * dx + (1.0 - a_d) * self._dx
        cutoff = p.min_cutoff + p.beta * np.abs(dx_hat)
        a = _alpha(cutoff, self.freq)
        x_hat = a * x + (1.0 - a) * self._x
        x_hat = np.where(fresh, x, x_hat)
        self._dx = np.where(fresh | ~np.isfinite(dx_hat), 0.0, dx_hat)
        self._x = x_hat
        return x_hat.copy()


def smooth_sequence(values: np.ndarray, valid: np.ndarray, params: OneEuroParams, freq: float) -> np.ndarray:
    """Smooth a whole track offline. values: (T, ...) ; valid: (T,) bool. Invalid rows stay
    as they are (NaN) and restart the filter, so gaps are never bridged."""
    out = np.array(values, dtype=np.float32, copy=True)
    f = OneEuroFilter(params, freq)
    for t in range(values.shape[0]):
        if valid[t]:
            out[t] = f(values[t])
        else:
            f(None)
    return out
