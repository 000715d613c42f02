"""Clips with a rising-chirp soundtrack: every AAC packet of a chirp differs (a sine's packets
repeat), so a copied packet identifies where in the source it came from."""

from __future__ import annotations

from pathlib import Path

import av

from tests import corpus

CHIRP = "aevalsrc=sin(2*PI*(200+300*t)*t):s=44100"
AAC_PACKET_S = 1024 / corpus.AUDIO_RATE


def with_chirp(video: str | Path, out: str | Path, seconds: float) -> Path:
    """The first `seconds` of `video` (re-encoded) with a chirp as its only audio track."""
    corpus.run_ffmpeg(
        "-i", str(video), "-f", "lavfi", "-i", f"{CHIRP}:d={seconds}", "-map", "0:v", "-map", "1:a",
        "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", str(out),
    )  # fmt: skip
    return Path(out)


def chirp_clip(out: str | Path, seconds: float, fps: int = 30, size: tuple[int, int] = (96, 64)) -> Path:
    """A test-pattern clip of `seconds` with a chirp soundtrack."""
    w, h = size
    corpus.run_ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate={fps}:duration={seconds}",
        "-f", "lavfi", "-i", f"{CHIRP}:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
        "-pix_fmt", "yuv420p", "-c:a", "aac", str(out),
    )  # fmt: skip
    return Path(out)


def audio_packets(path: str | Path) -> list[tuple[float, bytes]]:
    """(pts in seconds, payload) of every non-empty packet of the first audio track."""
    with av.open(str(path)) as c:
        s = c.streams.audio[0]
        return [(float(p.pts * s.time_base), bytes(p)) for p in c.demux(s) if p.size]


def vfr_chirp_clip(out: str | Path, frames: int = 40, size: tuple[int, int] = (64, 48)) -> Path:
    """`corpus.make_vfr`'s variable-rate video (stream-copied, its frame times kept) with a chirp
    soundtrack as long as the video."""
    out = Path(out)
    video = corpus.make_vfr(out.with_name(out.stem + "-video.mp4"), frames=frames, size=size)
    seconds = sum(corpus.vfr_durations(frames)) / 1000
    corpus.run_ffmpeg(
        "-i", str(video), "-f", "lavfi", "-i", f"{CHIRP}:d={seconds}", "-map", "0:v", "-map", "1:a",
        "-c:v", "copy", "-c:a", "aac", str(out),
    )  # fmt: skip
    video.unlink()
    return out
