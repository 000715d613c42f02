import numpy as np

from render_core.tracking.one_euro import OneEuroFilter, OneEuroParams, smooth_sequence


def test_reduces_jitter_on_noisy_constant():
    rng = np.random.default_rng(0)
    noisy = 5.0 + rng.normal(0, 1.0, size=(300, 478, 3))
    f = OneEuroFilter(OneEuroParams(min_cutoff=1.0, beta=0.0), freq=30.0)
    out = np.stack([f(x) for x in noisy])
    assert out[50:].std() < 0.35 * noisy[50:].std()
    assert abs(out[50:].mean() - 5.0) < 0.05


def test_follows_ramp_with_small_lag():
    t = np.arange(120) / 30.0
    ramp = (100.0 * t)[:, None] * np.ones((1, 4))  # 100 units/s
    f = OneEuroFilter(OneEuroParams(min_cutoff=1.0, beta=0.5), freq=30.0)
    out = np.stack([f(x) for x in ramp])
    lag = ramp[-1] - out[-1]
    assert np.all(lag >= 0) and np.all(lag < 2.0)  # < 0.6 frame of motion behind


def test_invalid_frame_resets_state():
    f = OneEuroFilter(OneEuroParams(), freq=30.0)
    f(np.zeros(3))
    f(np.zeros(3))
    assert f(None) is None
    np.testing.assert_array_equal(f(np.full(3, 50.0)), np.full(3, 50.0))


def test_smooth_sequence_keeps_gaps():
    vals = np.ones((6, 2), np.float32)
    vals[2] = np.nan
    valid = np.array([1, 1, 0, 1, 1, 1], bool)
    out = smooth_sequence(vals, valid, OneEuroParams(), 30.0)
    assert np.isnan(out[2]).all() and np.allclose(out[valid], 1.0)
