"""Waveform peaks per video frame: a tone burst shows where it sounds, in the clip's own time."""

from __future__ import annotations

import numpy as np
import pytest

from render_core.media.probe import probe
from render_core.media.waveform import display_level, frame_peaks
from tests import corpus

BURST = "aevalsrc='0.5*sin(2*PI*440*t)*between(t,1,1.5)':s=48000:c=stereo"


@pytest.fixture(scope="module")
def burst_clip(tmp_path_factory):
    """2 s at 30 fps, silent but for a 440 Hz tone at half scale from 1.0 to 1.5 s (PCM audio
    in MOV, so no codec smears the edges)."""
    out = tmp_path_factory.mktemp("w") / "burst.mov"
    corpus.run_ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=30:duration=2", "-f", "lavfi", "-i", f"{BURST}:d=2",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", str(out),
    )  # fmt: skip
    return out


def test_a_tone_burst_peaks_in_its_frames_only(burst_clip):
    info = probe(burst_clip)
    peaks = frame_peaks(burst_clip, info.timestamps)
    assert peaks.shape == (60,)
    start = int(np.searchsorted(np.asarray(info.timestamps) - info.timestamps[0], 1.0 - 1e-6))
    inside, outside = peaks[start + 1 : start + 14], np.r_[peaks[: start - 1], peaks[start + 16 :]]
    np.testing.assert_allclose(inside, 0.5, atol=0.01)  # the sine's crest, channels averaged
    assert outside.max() < 1e-3
    levels = display_level(peaks)
    assert levels[start + 5] == pytest.approx(1 - 20 * np.log10(0.5) / -48, abs=0.01) and levels[0] == 0


def test_a_clip_without_audio_has_no_waveform(tmp_path):
    clip = corpus.make_clip(tmp_path / "silent.mp4", frames=10, audio=False)
    assert frame_peaks(clip, probe(clip).timestamps) is None
