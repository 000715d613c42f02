from __future__ import annotations

from fractions import Fraction

import pytest

from render_core.errors import InputError
from render_core.media.hashing import content_hash
from render_core.media.probe import probe
from tests import corpus
from tests.conftest import footage_path


def test_probe_synthetic_clip(clip):
    info = probe(clip)
    assert (info.width, info.height) == (160, 120)
    assert info.fps == Fraction(30)
    assert info.frame_count == 30 and len(info.timestamps) == 30
    assert info.duration == pytest.approx(1.0, abs=1e-6)
    assert info.rotation == 0 and not info.is_vfr
    assert info.audio is not None and info.audio.codec == "aac" and info.audio.sample_rate == 44100
    assert info.timestamps == tuple(sorted(info.timestamps))
    assert info.content_hash == content_hash(clip) and len(info.content_hash) == 16


def test_probe_real_footage():
    info = probe(footage_path("A_tfjs_facemesh_input.mp4"))
    assert (info.width, info.height, info.frame_count) == (1080, 720, 325)
    assert info.fps == Fraction(30) and info.audio is not None and info.audio.channels == 1
    info = probe(footage_path("A_pyfeat_WolfgangLanger_Pexels.mp4"))
    assert info.fps == Fraction(24000, 1001) and info.frame_count == 472 and not info.is_vfr


def test_probe_no_audio(tmp_path):
    info = probe(corpus.make_no_audio(tmp_path / "silent.mp4"))
    assert info.audio is None and not info.has_audio and info.frame_count == 30


def test_probe_vfr(vfr_clip):
    info = probe(vfr_clip)
    assert info.is_vfr and info.frame_count == 40
    steps_ms = [round(1000 * (b - a)) for a, b in zip(info.timestamps, info.timestamps[1:], strict=False)]
    assert steps_ms == corpus.vfr_durations(40)[:-1]


def test_probe_rotated(clip, tmp_path):
    info = probe(corpus.make_rotated(clip, tmp_path / "rot.mp4", 90))
    assert info.rotation == 90 and (info.width, info.height) == (120, 160)
    assert probe(corpus.make_rotated(clip, tmp_path / "rot270.mp4", 270)).rotation == 270


def test_content_hash_stable_and_sensitive(clip, tmp_path):
    copy = tmp_path / "copy.mp4"
    copy.write_bytes(clip.read_bytes())
    assert content_hash(copy) == content_hash(clip)
    copy.write_bytes(clip.read_bytes() + b"\0")
    assert content_hash(copy) != content_hash(clip)


@pytest.mark.parametrize(
    "make",
    [
        lambda d: d / "missing.mp4",
        lambda d: corpus.make_text_as_mp4(d / "text.mp4"),
        lambda d: corpus.make_zero_frame(d / "empty.mp4"),
        lambda d: corpus.make_audio_only(d / "audio_only.mp4"),
    ],
    ids=["missing", "text", "zero_frames", "no_video_stream"],
)
def test_bad_input_names_the_file(tmp_path, make):
    path = make(tmp_path)
    with pytest.raises(InputError) as err:
        probe(path)
    assert path.name in str(err.value) and "\n" not in str(err.value)
