import json

import cv2
import numpy as np
import pytest

from render_core.metrics.image import psnr
from render_core.metrics.report import PSNR_CAP_DB, SequenceReport, sequence_report
from render_core.metrics.temporal import warping_error
from tests.conftest import footage_path
from tests.core.metrics.sequences import shifted_sequence


def _noisy(seq: list[np.ndarray], sigma: float) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [np.clip(f + rng.normal(0, sigma, f.shape), 0, 1).astype(np.float32) for f in seq]


def test_real_vs_itself_is_perfect_and_json_safe(texture):
    real = shifted_sequence(texture, 4, step=2, size=96)
    r = sequence_report(real, real, per_frame=True)
    assert r["frames"] == 4
    assert r["psnr_mean"] == PSNR_CAP_DB and r["ssim_min"] == pytest.approx(1.0, abs=1e-6)
    assert r["ewarp_generated"] == r["ewarp_real"]
    assert len(r["psnr_per_frame"]) == 4
    json.dumps(r, allow_nan=False)


def test_noisy_generation_scores_worse_than_the_real_floor(texture):
    real = shifted_sequence(texture, 4, step=2, size=96)
    gen = _noisy(real, 0.05)
    r = sequence_report(gen, real)
    assert r["psnr_mean"] == pytest.approx(np.mean([psnr(g, x) for g, x in zip(gen, real, strict=True)]))
    assert r["ssim_mean"] < 0.95
    assert r["ewarp_real"] == pytest.approx(warping_error(real))
    assert r["ewarp_generated"] == pytest.approx(warping_error(gen, flow_from=real))
    assert r["ewarp_ratio"] > 10
    assert "psnr_per_frame" not in r


def test_report_without_ewarp_and_with_one_frame(texture):
    one = SequenceReport()
    one.add(texture[:64, :64], texture[:64, :64])
    d = one.to_dict()
    assert d["frames"] == 1 and d["ewarp_real"] is None and d["ewarp_ratio"] is None
    json.dumps(d, allow_nan=False)
    assert "ewarp_real" not in sequence_report([texture[:32, :32]], [texture[:32, :32]], ewarp=False)


def test_report_tof_follows_motion_difference(texture):
    real = shifted_sequence(texture, 3, step=3, size=96)
    slow = shifted_sequence(texture, 3, step=1, size=96)
    assert sequence_report(real, real, ewarp=False, tof=True)["tof_px"] == 0.0
    r = sequence_report(slow, real, tof=True)
    assert 1.5 < r["tof_px"] < 2.5 and r["flow_preset"] == "medium"


@pytest.mark.footage
def test_real_clip_warping_error_floor():
    cap = cv2.VideoCapture(str(footage_path("A_liveportrait_d18.mp4")))
    frames = []
    for _ in range(8):
        ok, bgr = cap.read()
        assert ok
        frames.append(
            cv2.cvtColor(cv2.resize(bgr, (240, 240), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
        )
    cap.release()
    r = sequence_report(_noisy([f.astype(np.float32) / 255 for f in frames], 0.02), frames)
    assert 0 < r["ewarp_real"] < 1e-3  # a real, nearly static talking head: small but not zero
    assert r["ewarp_generated"] > 2 * r["ewarp_real"]
    assert r["ewarp_mask_fraction"] > 0.8
