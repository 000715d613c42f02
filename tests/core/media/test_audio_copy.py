"""A delayed audio copy (negative start, a `first` trim) lands where asked, bit-exact, and the
written file decodes."""

from __future__ import annotations

import av
import numpy as np
import pytest

from render_core.media.encode import VideoWriter
from tests.core.media.chirp import AAC_PACKET_S, audio_packets, chirp_clip

EDIT_LIST_S = 1e-3  # the MP4 muxer writes the initial delay in its 1 ms movie timescale


@pytest.fixture(scope="module")
def chirp(tmp_path_factory):
    return chirp_clip(tmp_path_factory.mktemp("chirp") / "chirp.mp4", seconds=2.0)


def _write(path, source, seconds: float = 2.0, **audio) -> None:
    with VideoWriter(path, 30, 96, 64, preset="ultrafast", audio_source=source, **audio) as w:
        for _ in range(round(30 * seconds)):
            w.write(np.zeros((64, 96, 3), np.uint8))


def _decoded_span(path) -> tuple[float, float]:
    """(first sample time, last sample end) in s of the decoded audio: decoding must not fail."""
    with av.open(str(path)) as c:
        frames = list(c.decode(audio=0))
    first = frames[0].pts * frames[0].time_base
    return float(first), float(first) + sum(f.samples for f in frames) / frames[0].sample_rate


def test_negative_start_delays_the_audio_bit_exact(chirp, tmp_path):
    out = tmp_path / "delayed.mp4"
    _write(out, chirp, audio_start=-0.5)
    copied, source = audio_packets(out), audio_packets(chirp)
    # shifted by 0.5 s, up to the edit list's 1 ms rounding: the priming packet (source time -1
    # packet) sits one packet before 0.5 s, the source's time 0 at 0.5 s
    assert source[0][0] == pytest.approx(-AAC_PACKET_S) and source[1][0] == 0.0
    assert copied[0][0] == pytest.approx(0.5 - AAC_PACKET_S, abs=EDIT_LIST_S)
    assert copied[1][0] == pytest.approx(0.5, abs=EDIT_LIST_S)
    assert [b for _, b in copied] == [b for _, b in source[: len(copied)]]
    # 1.5 s of the source fits before the video's 2 s end
    assert abs(copied[-1][0] + AAC_PACKET_S - 2.0) <= AAC_PACKET_S
    first, end = _decoded_span(out)
    assert first == pytest.approx(0.5 - AAC_PACKET_S, abs=EDIT_LIST_S) and end <= 2.0 + AAC_PACKET_S


def test_first_trims_the_source_before_a_delayed_start(chirp, tmp_path):
    """A driving clip's audio placed at output 0.5 s from its source time 0.3 s: start = -0.2,
    nothing before 0.3 s copied."""
    out = tmp_path / "trimmed.mp4"
    _write(out, chirp, audio_start=-0.2, audio_from=0.3)
    copied, source = audio_packets(out), audio_packets(chirp)
    i = [b for _, b in source].index(copied[0][1])
    assert 0.3 <= source[i][0] < 0.3 + AAC_PACKET_S
    assert [b for _, b in copied] == [b for _, b in source[i : i + len(copied)]]
    assert abs(copied[0][0] - 0.5) <= AAC_PACKET_S
    assert abs(_decoded_span(out)[0] - 0.5) <= AAC_PACKET_S


def test_delay_past_the_end_writes_video_only(chirp, tmp_path):
    out = tmp_path / "late.mp4"
    _write(out, chirp, seconds=1.0, audio_start=-3.0)
    with av.open(str(out)) as c:
        assert not c.streams.audio or not [p for p in c.demux(c.streams.audio[0]) if p.size]


def test_until_ends_the_audio_before_the_video(chirp, tmp_path):
    """A driving clip's audio over a layer that ends at output 1.2 s (source 0.9 s): nothing
    from source time 0.9 s on, while the video runs to 2 s."""
    out = tmp_path / "ended.mp4"
    _write(out, chirp, audio_start=-0.3, audio_from=0.0, audio_until=0.9)
    copied, source = audio_packets(out), audio_packets(chirp)
    i = [b for _, b in source].index(copied[0][1])
    assert [b for _, b in copied] == [b for _, b in source[i : i + len(copied)]]
    assert 1.2 - 2 * AAC_PACKET_S <= copied[-1][0] < 1.2
    assert _decoded_span(out)[1] <= 1.2 + AAC_PACKET_S
