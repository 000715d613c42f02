"""Global pose normalization reproduces hand-computed results on synthetic ankle tracks."""

from __future__ import annotations

import numpy as np
import pytest

from render_core.geometry.pose_normalization import NormalizationStats, median_smooth, normalize


def _track(ankle_ys, heights, xs) -> np.ndarray:
    """Frames of a stick person: head top (nose) at ankle_y - height, both ankles at ankle_y."""
    t = len(ankle_ys)
    j = np.zeros((t, 33, 4), np.float32)
    j[..., 3] = 1.0
    for i, (ay, h, x) in enumerate(zip(ankle_ys, heights, xs, strict=True)):
        j[i, :, 0] = x
        j[i, :, 1] = ay - h / 2  # every joint mid-body ...
        j[i, :9, 1] = ay - h  # ... head joints at the top
        j[i, [27, 28], 1] = ay
    return j


def test_stats_close_far_and_heights():
    # far line y=200 with height 100 (small, far away), close line y=400 with height 200
    ay = [200.0] * 10 + [300.0] * 10 + [400.0] * 10
    hh = [100.0] * 10 + [150.0] * 10 + [200.0] * 10
    s = NormalizationStats.from_joints(_track(ay, hh, [50.0] * 30), np.ones(30, bool))
    assert (s.far_y, s.close_y) == pytest.approx((200.0, 400.0))
    assert (s.far_height, s.close_height) == pytest.approx((100.0, 200.0))
    assert s.center_x == pytest.approx(50.0)


def test_normalize_scale_and_shift_hand_computed():
    src = NormalizationStats(far_y=200, close_y=400, far_height=100, close_height=200, center_x=50)
    tgt = NormalizationStats(far_y=300, close_y=500, far_height=150, close_height=400, center_x=200)
    # source frame at the middle: alpha = 0.5 -> scale = 1.5 + 0.5 * (2.0 - 1.5) = 1.75,
    # target ankle line = 300 + 0.5 * 200 = 400.
    j = _track([300.0], [150.0], [60.0])
    out = normalize(j, src, tgt)
    assert out[0, 27, 1] == pytest.approx(400.0)  # ankle -> target ankle line
    assert out[0, 0, 1] == pytest.approx(400.0 - 1.75 * 150.0)  # head: height scaled by 1.75
    assert out[0, 0, 0] == pytest.approx(200.0 + 1.75 * (60.0 - 50.0))  # x about the centres
    # at the close line alpha = 1: scale = t_close/s_close = 2, ankle -> 500
    out = normalize(_track([400.0], [200.0], [50.0]), src, tgt)
    assert out[0, 28, 1] == pytest.approx(500.0) and out[0, 0, 1] == pytest.approx(500.0 - 400.0)
    # at the far line alpha = 0: scale = 1.5, ankle -> 300
    out = normalize(_track([200.0], [100.0], [50.0]), src, tgt)
    assert out[0, 27, 1] == pytest.approx(300.0) and out[0, 0, 1] == pytest.approx(300.0 - 150.0)


def test_identity_when_source_is_target():
    ay = np.linspace(250, 350, 20)
    j = _track(ay, ay * 0.5, np.full(20, 80.0))
    s = NormalizationStats.from_joints(j, np.ones(20, bool), percentile=0.0)
    np.testing.assert_allclose(normalize(j, s, s)[..., :2], j[..., :2], atol=1e-3)


def test_median_smooth_removes_a_spike_and_skips_invalid():
    j = np.zeros((15, 33, 4), np.float32)
    j[:, :, 0] = np.arange(15, dtype=np.float32)[:, None]
    j[7, :, 0] = 1000.0  # one-frame outlier
    valid = np.ones(15, bool)
    valid[3] = False
    out = median_smooth(j, valid, window=7)
    assert out[7, 0, 0] == pytest.approx(8.0)  # median of 4,5,6,1000,8,9,10: the spike is gone
    assert out[5, 0, 0] == pytest.approx(5.5)  # window 2..8 without invalid frame 3
    assert out[0, 0, 0] == pytest.approx(1.0)  # edge: frames 0,1,2 (3 invalid)
