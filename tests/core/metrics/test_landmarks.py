import numpy as np
import pytest

from render_core.errors import InputError
from render_core.metrics.landmarks import landmark_distance


def _face(t: int = 3, n: int = 478) -> np.ndarray:
    rng = np.random.default_rng(0)
    pts = rng.uniform(100, 200, size=(t, n, 3))
    pts[:, 33, :2] = [100.0, 150.0]  # outer eye corners 100 px apart
    pts[:, 263, :2] = [200.0, 150.0]
    return pts


def test_constant_offset_gives_known_distances():
    target = _face()
    pred = target + np.array([3.0, 4.0, 50.0])  # z is ignored
    r = landmark_distance(pred, target, normalize_by="interocular")
    assert r["mean_px"] == pytest.approx(5.0)
    assert r["median_px"] == pytest.approx(5.0)
    assert r["normalized"] == pytest.approx(0.05)
    assert r["frames_used"] == 3


def test_bbox_normalization_and_2d_points():
    square = np.array([[0, 0], [100, 0], [0, 100], [100, 100]], float)
    target = np.stack([square, 2 * square])  # bbox sqrt(w*h): 100 then 200
    pred = target + [6.0, 8.0]
    r = landmark_distance(pred, target, normalize_by="bbox")
    assert r["mean_px"] == pytest.approx(10.0)
    assert r["normalized"] == pytest.approx((10 / 100 + 10 / 200) / 2)


def test_invalid_frames_are_excluded_and_median_is_robust():
    target = _face(t=4)
    pred = target.copy()
    pred[:, :10, 0] += 2.0  # 10 of 478 points off by 2 px
    pred[3] += 1000.0  # tracking failure on the last frame
    valid = np.array([True, True, True, False])
    r = landmark_distance(pred, target, valid, normalize_by=None)
    assert r["frames_used"] == 3
    assert r["mean_px"] == pytest.approx(2.0 * 10 / 478)
    assert r["median_px"] == 0.0
    assert r["normalized"] is None


def test_no_valid_frame_gives_none():
    target = _face(t=2)
    r = landmark_distance(target, target, np.zeros(2, bool))
    assert r == {"mean_px": None, "median_px": None, "normalized": None, "frames_used": 0}


def test_bad_input_raises_input_error():
    target = _face(t=2)
    with pytest.raises(InputError):
        landmark_distance(target[:, :100], target)
    with pytest.raises(InputError):
        landmark_distance(target, target, np.ones(3, bool))
    with pytest.raises(InputError):
        landmark_distance(target[:, :50], target[:, :50], normalize_by="interocular")  # unknown layout
    r = landmark_distance(target[:, :50], target[:, :50], normalize_by="interocular", eye_indices=(0, 1))
    assert r["normalized"] == 0.0
