"""Where an export's audio sits: hand-computed windows for the original sound and for a driving
clip's sound synced to its layer, at equal and different frame rates."""

from __future__ import annotations

from fractions import Fraction

import pytest

from render_core.render.timebase import audio_window


def _times(n: int, fps: float) -> tuple[float, ...]:
    return tuple(i / fps for i in range(n))


def test_original_audio_follows_the_exports_first_frame():
    assert audio_window(Fraction(30), _times(60, 30), 0) == (0.0, None)
    start, first = audio_window(Fraction(30), _times(60, 30), 15)
    assert start == pytest.approx(0.5) and first is None


def test_equal_fps_layer_after_the_export_start_delays_the_audio():
    # layer at target frame 8 drives from driving frame 6: frame 6 (0.2 s) sounds at 8/30 s
    start, first = audio_window(Fraction(30), _times(60, 30), 0, sync=(8, 6))
    assert start == pytest.approx(0.2 - 8 / 30) and start < 0
    assert first == pytest.approx(0.2)


def test_equal_fps_export_starting_inside_the_layer_trims_the_audio():
    # export from frame 20: the driving frame shown first is 20 - 8 + 6 = 18, at 0.6 s
    start, first = audio_window(Fraction(30), _times(60, 30), 20, sync=(8, 6))
    assert start == pytest.approx(0.6) and first == pytest.approx(0.2)


def test_different_fps_uses_each_clips_own_clock():
    ntsc, driving = Fraction(30000, 1001), _times(100, 25)
    start, first = audio_window(ntsc, driving, 0, sync=(10, 5))  # 5/25 s at 10 * 1001/30000 s
    assert start == pytest.approx(0.2 - 0.333667, abs=1e-6) and first == pytest.approx(0.2)
    start, _ = audio_window(ntsc, driving, 40, sync=(10, 5))  # 30 NTSC frames past the layer start
    assert start == pytest.approx(0.2 + 1.001, abs=1e-6)


def test_variable_frame_times_and_frames_past_the_clip():
    vfr = (1.0, 1.04, 1.1, 1.13)  # times from the clip's first frame: 0, 0.04, 0.1, 0.13
    assert audio_window(Fraction(25), vfr, 0, sync=(0, 2)) == pytest.approx((0.1, 0.1))
    # past the end: extrapolated at the mean interval 0.13 / 3
    assert audio_window(Fraction(25), vfr, 0, sync=(0, 5))[1] == pytest.approx(0.13 + 2 * 0.13 / 3)
    assert audio_window(Fraction(25), _times(10, 25), 0, sync=(0, 12))[1] == pytest.approx(12 / 25)
