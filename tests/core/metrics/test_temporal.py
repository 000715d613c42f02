import numpy as np
import pytest

from render_core.errors import InputError
from render_core.jobs import Cancelled, JobContext
from render_core.metrics.temporal import WarpErrorMeter, tof, warping_error
from tests.core.metrics.sequences import shifted_sequence


def _naive(seq: list[np.ndarray]) -> float:
    return float(np.mean([np.square(b - a).mean() for a, b in zip(seq, seq[1:], strict=False)]))


def test_static_video_has_zero_warping_error(texture):
    assert warping_error([texture[:128, :128]] * 4) == 0.0


def test_shifted_video_has_near_zero_warping_error(texture):
    seq = shifted_sequence(texture, 5, step=3, size=160)
    e = warping_error(seq)
    naive = _naive(seq)
    assert naive > 1e-4  # the frames really differ
    assert e < 0.03 * naive and e < 5e-5


def test_generated_video_is_judged_with_the_reference_flow(texture):
    real = shifted_sequence(texture, 5, step=3, size=128)
    rng = np.random.default_rng(0)
    flicker = [np.clip(f + rng.normal(0, 0.03), 0, 1).astype(np.float32) for f in real]  # brightness jumps
    e_real = warping_error(real)
    e_flicker = warping_error(flicker, flow_from=real)
    assert e_flicker > 10 * e_real
    # a single meter computes both with one flow and gives the same numbers
    meter = WarpErrorMeter(n_sequences=2)
    for r, g in zip(real, flicker, strict=True):
        meter.update(r, [g, r])
    np.testing.assert_allclose(meter.values, [e_flicker, e_real], rtol=1e-9)
    assert 0.9 < meter.mask_fraction <= 1.0


def test_uint8_frames_give_the_same_error_as_float(texture):
    real = shifted_sequence(texture, 3, step=2, size=96)
    u8 = [(f * 255).round().astype(np.uint8) for f in real]
    f32 = [f.astype(np.float32) / 255 for f in u8]
    assert warping_error(u8) == pytest.approx(warping_error(f32), rel=1e-6)


def test_warping_error_input_errors(texture):
    with pytest.raises(InputError):
        warping_error([texture])
    with pytest.raises(InputError):
        warping_error([texture] * 3, flow_from=[texture] * 2)


def test_warping_error_reports_progress_and_cancels(texture):
    seen = []
    ctx = JobContext(lambda p: seen.append(p.done))
    warping_error([texture[:64, :64]] * 3, ctx=ctx, total=3)
    assert seen == [1, 2, 3]
    ctx.cancel()
    with pytest.raises(Cancelled):
        warping_error([texture[:64, :64]] * 3, ctx=ctx, total=3)


def test_tof_zero_for_identical_and_positive_for_different_motion(texture):
    a = shifted_sequence(texture, 4, step=3, size=128)
    b = shifted_sequence(texture, 4, step=1, size=128)
    assert tof(a, list(a)) == 0.0
    d = tof(a, b)
    assert 1.5 < d < 2.5  # flows differ by 2 px per pair
    assert tof(b, a) == pytest.approx(d, rel=1e-6)
    with pytest.raises(InputError):
        tof(a, b[:3])
