"""Probe a clip: geometry, rate, exact frame->pts table, rotation, audio. One demux pass.

The frame count is never trusted from the header: packets are demuxed (cheap, no decode) and
their pts, sorted, give the presentation-order frame table that `VideoReader` seeks with.
Packets a damaged file cannot deliver (flagged corrupt, cut off by truncation, discarded by an
edit list) are left out, so `frame_count` is what the reader can actually return.
Convention: `timestamps[i]` is frame i's pts in seconds (stream time base, not shifted to 0);
`rotation` is degrees clockwise a viewer applies; width/height are after that rotation.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from render_core.errors import InputError
from render_core.media.clip_info import AudioInfo, ClipInfo
from render_core.media.hashing import content_hash

VFR_TOLERANCE = 0.1  # relative spread of frame intervals above which a clip counts as VFR


@dataclass(frozen=True)
class FrameTable:
    """Presentation-order pts of every deliverable frame, in `time_base` units."""

    pts: tuple[int, ...]
    time_base: Fraction
    rotation: int  # degrees clockwise


def open_input(path: str | Path) -> av.container.InputContainer:
    """Open a media file for reading, turning every failure into an InputError naming it."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, "file not found")
    if not p.is_file():
        raise InputError(p, "not a file")
    try:
        return av.open(str(p), "r")
    except (av.FFmpegError, UnicodeDecodeError, OSError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise InputError(p, f"not a readable video (truncated, damaged or not a video: {reason})") from None


def video_stream(container: av.container.InputContainer, path: str | Path) -> av.video.stream.VideoStream:
    """The clip's main video stream (cover-art pictures are not video)."""
    streams = [s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic]
    if not streams:
        raise InputError(path, "no video stream in the file")
    return streams[0]


def rotation_of(frame: av.VideoFrame) -> int:
    """Clockwise display rotation in {0, 90, 180, 270} from the frame's display matrix."""
    ccw = float(frame.rotation or 0)
    return int(round(-ccw / 90.0)) % 4 * 90


def scan_frames(container: av.container.InputContainer, stream, path: str | Path) -> FrameTable:
    """Demux every video packet once, keep the deliverable ones, decode just the first frame.

    Decoding the first frame proves the stream is decodable and carries the display matrix.
    """
    size = Path(path).stat().st_size
    pts: list[int] = []
    first: av.VideoFrame | None = None
    try:
        for packet in container.demux(stream):
            if packet.size == 0 or packet.pts is None or packet.is_corrupt or packet.is_discard:
                continue
            if packet.pos is not None and packet.pos >= 0 and packet.pos + packet.size > size:
                continue
            pts.append(packet.pts)
            if first is None:
                first = _first_frame(packet)
    except av.FFmpegError:
        pass  # damaged tail: keep the packets read so far, the reader stops at the same place
    if not pts:
        raise InputError(path, "the video stream has no frames")
    if first is None:
        first = _flush_first(stream)
    if first is None:
        raise InputError(path, "no video frame could be decoded (damaged file or unsupported codec)")
    return FrameTable(tuple(sorted(pts)), Fraction(stream.time_base), rotation_of(first))


def _first_frame(packet: av.Packet) -> av.VideoFrame | None:
    try:
        frames = packet.decode()
    except av.FFmpegError:
        return None
    return frames[0] if frames else None


def _flush_first(stream) -> av.VideoFrame | None:
    try:
        frames = stream.codec_context.decode(None)
    except av.FFmpegError:
        return None
    return frames[0] if frames else None


def frame_rate(stream, table: FrameTable) -> Fraction:
    """Nominal rate: the container's average rate, else derived from the frame table."""
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and rate > 0:
            return Fraction(rate)
    if len(table.pts) > 1:
        span = (table.pts[-1] - table.pts[0]) * table.time_base
        return Fraction(len(table.pts) - 1) / span if span > 0 else Fraction(30)
    return Fraction(30)


def is_variable_rate(pts: tuple[int, ...]) -> bool:
    """True when frame intervals spread more than VFR_TOLERANCE of the median (rounding jitter passes)."""
    if len(pts) < 3:
        return False
    d = np.diff(np.asarray(pts, dtype=np.int64))
    med = float(np.median(d))
    return med <= 0 or float(d.max() - d.min()) > max(1.0, VFR_TOLERANCE * med)


def _audio_info(container: av.container.InputContainer) -> AudioInfo | None:
    if not container.streams.audio:
        return None
    cc = container.streams.audio[0].codec_context
    return AudioInfo(codec=cc.name, sample_rate=int(cc.sample_rate), channels=int(cc.channels))


def probe(path: str | Path) -> ClipInfo:
    """Read a clip's identity and geometry; raise InputError for anything that is not a usable video."""
    p = Path(path)
    container = open_input(p)
    try:
        stream = video_stream(container, p)
        audio = _audio_info(container)
        table = scan_frames(container, stream, p)
        cc = stream.codec_context
        width, height = (cc.height, cc.width) if table.rotation in (90, 270) else (cc.width, cc.height)
        fps = frame_rate(stream, table)
    finally:
        container.close()
    times = tuple(float(t * table.time_base) for t in table.pts)
    step = float(np.median(np.diff(times))) if len(times) > 1 else float(1 / fps)
    return ClipInfo(
        path=str(p),
        content_hash=content_hash(p),
        width=int(width),
        height=int(height),
        fps_num=fps.numerator,
        fps_den=fps.denominator,
        frame_count=len(times),
        duration=times[-1] - times[0] + step,
        rotation=table.rotation,
        audio=audio,
        is_vfr=is_variable_rate(table.pts),
        timestamps=times,
    )
