"""Zero-lag temporal smoothing of the detected face landmarks, for rendering with a portrait model.

The portrait model trains on the landmarks as detected (the causal One-Euro output lags the
pixels it conditions), which jitter by a fraction of a pixel from frame to frame; that jitter
is also a free augmentation of the conditioning during training. When rendering, the jitter
only makes the generated face flicker, and the whole clip's tracks are known before a frame is
rendered, so the renderer (and the held-out report, which scores what the renderer would
output) conditions on the detected landmarks smoothed with a centred Gaussian: no lag, less
jitter (same PSNR, lower E_warp; measurements: docs/performance.md).

Smoothing never reaches across a frame without a detection: each run of consecutive valid
frames is smoothed on its own (a clip's start and end, and any gap in the detections, are run
ends, where a local linear fit replaces the plain mean; see `centred_smooth`).

Convention: values (T, ...) float, valid (T,) bool; sigma in frames (detection noise is per
frame, whatever the frame rate); sigma <= 0 returns the values unchanged.
"""

from __future__ import annotations

import math

import numpy as np

# Frames (2 was steadier than 1). Training stays on the raw detections: trained on steadied
# ones, a model never learns to absorb the jitter and scored 3-4 dB worse held-out on d19
# (measurements: docs/performance.md).
STEADY_SIGMA = 2.0


def _run_ids(valid: np.ndarray) -> np.ndarray:
    """(T,) int: the index of each valid frame's run of consecutive valid frames, -1 if invalid."""
    v = np.asarray(valid, bool)
    starts = v & ~np.concatenate([[False], v[:-1]])
    return np.where(v, np.cumsum(starts) - 1, -1)


def centred_smooth(values: np.ndarray, valid: np.ndarray, sigma: float = STEADY_SIGMA) -> np.ndarray:
    """Gaussian-weighted local linear fit over frames t - 3 sigma .. t + 3 sigma of the same
    valid run, evaluated at t. Inside a run this is the plain Gaussian mean (the symmetric
    weights cancel the slope); at a run's ends, where the window is one-sided, the linear term
    keeps a moving landmark from being pulled back towards its past.

    values: (T, ...); valid: (T,). Invalid frames keep their values. Returns float32 (T, ...).
    """
    x = np.asarray(values, np.float32)
    if sigma <= 0 or x.shape[0] == 0:
        return x.copy()
    runs = _run_ids(valid)
    t_len, radius = x.shape[0], int(math.ceil(3.0 * sigma))
    t = np.arange(t_len)
    s0, s1, s2 = np.zeros(t_len), np.zeros(t_len), np.zeros(t_len)
    sx, sxd = np.zeros(x.shape), np.zeros(x.shape)
    for d in range(-radius, radius + 1):
        src = t + d
        ok = (src >= 0) & (src < t_len) & (runs >= 0)
        ok[ok] &= runs[src[ok]] == runs[t[ok]]
        w = math.exp(-0.5 * (d / sigma) ** 2)
        s0[ok] += w
        s1[ok] += w * d
        s2[ok] += w * d * d
        sx[ok] += w * x[src[ok]]
        sxd[ok] += (w * d) * x[src[ok]]
    det = s0 * s2 - s1 * s1
    out = x.copy()
    fit = det > 1e-9  # at least two frames in reach: the fitted line at d = 0
    alone = (s0 > 0) & ~fit  # a run of one frame: the frame itself
    shape = (-1,) + (1,) * (x.ndim - 1)
    num = s2[fit].reshape(shape) * sx[fit] - s1[fit].reshape(shape) * sxd[fit]
    out[fit] = (num / det[fit].reshape(shape)).astype(np.float32)
    out[alone] = (sx[alone] / s0[alone].reshape(shape)).astype(np.float32)
    return out


def centred_rows(values: np.ndarray, valid: np.ndarray, first: int, count: int, sigma: float = STEADY_SIGMA):
    """`centred_smooth(values, valid, sigma)[first:first + count]`, reading only the frames
    within reach of those rows (a renderer asks for frames of a clip of any length)."""
    radius = int(math.ceil(3.0 * sigma)) if sigma > 0 else 0
    lo, hi = max(0, first - radius), min(len(valid), first + count + radius)
    return centred_smooth(values[lo:hi], valid[lo:hi], sigma)[first - lo : first - lo + count]
