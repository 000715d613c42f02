from __future__ import annotations

import av
import numpy as np
import pytest

from render_core.media.decode import VideoReader
from render_core.media.encode import VideoWriter
from render_core.media.frames import to_float, to_uint8
from render_core.media.probe import probe


def _audio_packets(path) -> list[bytes]:
    with av.open(str(path)) as c:
        return [bytes(p) for p in c.demux(c.streams.audio[0]) if p.size]


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return 10 * np.log10(255**2 / max(mse, 1e-10))


def test_round_trip_quality_audio_and_duration(long_audio_clip, tmp_path):
    src_info = probe(long_audio_clip)
    out = tmp_path / "out.mp4"
    meta = {"comment": "render-studio test", "title": "round trip"}
    writer = VideoWriter(out, src_info.fps, 160, 120, crf=18, audio_source=long_audio_clip, metadata=meta)
    with VideoReader(long_audio_clip) as reader, writer as w:
        for _, frame in reader.frames():
            w.write(frame)
    info = probe(out)
    assert info.frame_count == src_info.frame_count and info.duration == pytest.approx(2.0, abs=1e-6)
    with VideoReader(long_audio_clip) as a, VideoReader(out) as b:
        psnrs = [_psnr(x, y) for (_, x), (_, y) in zip(a.frames(), b.frames(), strict=True)]
    assert min(psnrs) >= 40.0
    copied, source = _audio_packets(out), _audio_packets(long_audio_clip)
    assert 80 < len(copied) < len(source) and copied == source[: len(copied)]
    with av.open(str(out)) as c:
        audio = c.streams.audio[0]
        audio_end = float(audio.duration * audio.time_base)
        assert c.metadata["comment"] == meta["comment"] and c.metadata["title"] == meta["title"]
    assert 2.0 - 0.05 <= audio_end <= 2.0 + 1024 / 44100 + 1e-3  # trimmed to one AAC packet


def test_audio_start_offset_copies_later_packets(long_audio_clip, tmp_path):
    out = tmp_path / "offset.mp4"
    with VideoWriter(
        out, probe(long_audio_clip).fps, 160, 120, audio_source=long_audio_clip, audio_start=4.0
    ) as w:
        for _ in range(30):
            w.write(np.zeros((120, 160, 3), np.float32))
    copied, source = _audio_packets(out), _audio_packets(long_audio_clip)
    start = source.index(copied[0])
    assert start > 150 and copied == source[start : start + len(copied)]


def test_odd_size_float_input_and_no_audio(tmp_path):
    out = tmp_path / "odd.mp4"
    frame = np.linspace(0, 1, 41 * 31 * 3, dtype=np.float32).reshape(31, 41, 3)
    with VideoWriter(out, 25, 41, 31) as w:
        for _ in range(5):
            w.write(frame)
    info = probe(out)
    assert (info.width, info.height, info.frame_count, info.audio) == (42, 32, 5, None)
    with VideoReader(out) as r:
        assert _psnr(r.read(2)[:31, :41], to_uint8(frame)) > 35


def test_exception_in_block_leaves_nothing(tmp_path, clip):
    out = tmp_path / "never.mp4"
    with pytest.raises(RuntimeError), VideoWriter(out, 30, 160, 120, audio_source=clip) as w:
        w.write(np.zeros((120, 160, 3), np.uint8))
        raise RuntimeError("cancelled")
    assert list(tmp_path.iterdir()) == []


def test_abort_and_bad_frame_leave_nothing(tmp_path):
    out = tmp_path / "aborted.mp4"
    w = VideoWriter(out, 30, 160, 120, preset="ultrafast")
    for _ in range(60):  # past the encoder's lookahead, so packets reach the file
        w.write(np.zeros((120, 160, 3), np.uint8))
    assert any(p.name.endswith(".part.mp4") for p in tmp_path.iterdir())
    w.abort()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError), VideoWriter(out, 30, 160, 120) as w2:
        w2.write(np.zeros((10, 10, 3), np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_frame_conversions_round_trip():
    u8 = np.arange(256, dtype=np.uint8).reshape(16, 16, 1).repeat(3, axis=2)
    f = to_float(u8)
    assert f.dtype == np.float32 and f.min() == 0.0 and f.max() == 1.0
    assert np.array_equal(to_uint8(f), u8)
    assert to_uint8(np.array([-0.5, 0.5, 2.0, np.nan], np.float32)).tolist() == [0, 128, 255, 0]
