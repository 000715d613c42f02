"""Zero-lag smoothing of detected landmarks: known values, no lag, runs kept apart."""

import math

import numpy as np

from render_core.tracking.steady import centred_rows, centred_smooth


def test_an_impulse_spreads_by_the_normalized_gaussian():
    x = np.zeros(17, np.float32)
    x[8] = 1.0
    out = centred_smooth(x, np.ones(17, bool), sigma=1.0)
    norm = 1 + 2 * (math.exp(-0.5) + math.exp(-2) + math.exp(-4.5))
    np.testing.assert_allclose(out[8], 1 / norm, rtol=1e-6)
    np.testing.assert_allclose(out[7], math.exp(-0.5) / norm, rtol=1e-6)
    np.testing.assert_allclose(out.sum(), 1.0, rtol=1e-6)  # inside the clip: a plain weighted mean
    assert out[4] == 0.0 and out[12] == 0.0  # beyond 3 sigma


def test_linear_motion_is_not_delayed():
    """A causal filter lags a moving landmark; the centred one reproduces steady motion exactly,
    also at the clip's ends where the window is one-sided."""
    t = np.arange(40, dtype=np.float32)
    x = np.stack([2.5 * t, -0.5 * t + 3], 1)[:, None, :]  # (T, 1, 2) px
    out = centred_smooth(x, np.ones(40, bool), sigma=2.0)
    np.testing.assert_allclose(out, x, atol=1e-3)


def test_jitter_shrinks_by_the_kernel_gain():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (500, 478, 3)).astype(np.float32)
    out = centred_smooth(x, np.ones(500, bool), sigma=1.0)
    w = np.exp(-0.5 * np.arange(-3, 4) ** 2)
    expected = np.sqrt((w**2).sum()) / w.sum()  # independent noise: std shrinks by this (0.53)
    assert abs(out[3:-3].std() / x.std() - expected) < 0.01


def test_runs_are_smoothed_apart_and_invalid_frames_kept():
    x = np.array([0, 0, 0, np.nan, 10, 10, 10, np.nan, 4], np.float32)
    valid = np.array([1, 1, 1, 0, 1, 1, 1, 0, 1], bool)
    out = centred_smooth(x, valid, sigma=1.5)
    np.testing.assert_array_equal(out[:3], 0.0)
    np.testing.assert_array_equal(out[4:7], 10.0)
    assert np.isnan(out[3]) and np.isnan(out[7])
    assert out[8] == 4.0  # a run of one frame stays itself


def test_blocks_of_rows_match_the_whole_clip():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (30, 5, 3)).astype(np.float32)
    valid = np.ones(30, bool)
    valid[[7, 8, 20]] = False
    whole = centred_smooth(x, valid, sigma=2.0)
    for first in range(0, 30, 4):  # blocks of 4 rows, the last one cut by the clip's end
        rows = centred_rows(x, valid, first, 4, sigma=2.0)
        np.testing.assert_allclose(rows, whole[first : first + 4], atol=1e-5)


def test_sigma_zero_is_the_identity():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.testing.assert_array_equal(centred_smooth(x, np.ones(4, bool), 0.0), x)
