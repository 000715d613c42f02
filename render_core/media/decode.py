"""Frame-accurate streaming decode: random access by frame index, sequential iteration.

Memory is bounded: one open container, the decoder's own reference frames and the last
converted frame. Random access seeks to the keyframe at or before the target pts and decodes
forward to the exact pts from the probe's frame table, so it is correct on VFR clips; a read
just ahead of the current position decodes forward without seeking.
Convention: frames are uint8 RGB (H, W, 3) with the clip's display rotation applied; `size`
arguments are (width, height) of the output after rotation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from render_core.errors import InputError
from render_core.media.clip_info import ClipInfo
from render_core.media.colour import RgbDecoder, stream_colour
from render_core.media.convert import frame_to_rgb
from render_core.media.probe import open_input, probe, scan_frames, video_stream

log = logging.getLogger(__name__)

FORWARD_LIMIT = 48  # decode forward instead of seeking when the target is at most this far ahead
SEEK_BACKOFF_S = (0.0, 1.0, 4.0, 16.0)  # earlier seek targets tried when a seek lands after the target


class VideoReader:
    """Streaming reader over one clip; use as a context manager or call close()."""

    def __init__(self, path: str | Path, info: ClipInfo | None = None, exact_colour: bool = True) -> None:
        """exact_colour False: the fast, slightly biased colour conversion (`media.colour`), for
        readers whose pixels nobody sees (tracking)."""
        self.path = str(path)
        self.info = info if info is not None else probe(path)
        self._container = open_input(path)
        self._stream = video_stream(self._container, path)
        self._stream.thread_type = "AUTO"
        self.colour = stream_colour(self._stream)  # the matrix and range frames are decoded with
        self._rgb = RgbDecoder(self.colour, exact_colour)
        self._pts = self._frame_pts()
        self._index_of = {p: i for i, p in enumerate(self._pts)}
        self._decoded: Iterator[av.VideoFrame] | None = None
        self._next = -1  # index the decoder's next frame will have; -1 = no position
        self._pending: tuple[int, av.VideoFrame] | None = None
        self._last: tuple[tuple, np.ndarray] | None = None  # ((index, size), frame)
        self.seek_count = 0
        self.damaged_from: int | None = None  # first frame index that could not be decoded

    def _frame_pts(self) -> tuple[int, ...]:
        """The frame table in stream ticks: from info's timestamps, or a fresh demux when absent."""
        tb = Fraction(self._stream.time_base)
        if len(self.info.timestamps) == self.info.frame_count:
            return tuple(round(Fraction(t) / tb) for t in self.info.timestamps)
        table = scan_frames(self._container, self._stream, self.path)
        self._container.seek(0, backward=True)
        return table.pts

    def __len__(self) -> int:
        return len(self._pts)

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._decoded = None
        self._pending = None
        self._container.close()

    def read(self, index: int, size: tuple[int, int] | None = None) -> np.ndarray:
        """Frame `index` as uint8 RGB (H, W, 3), scaled to `size=(w, h)` inside the colour
        conversion where given; InputError if the file cannot deliver it."""
        if self._last is not None and self._last[0] == (index, size):
            return self._last[1].copy()
        image = self._convert(self._advance_to(index), size)
        self._last = ((index, size), image)
        return image.copy()

    def frames(
        self, start: int = 0, stop: int | None = None, step: int = 1, size: tuple[int, int] | None = None
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Yield (index, frame) for range(start, stop, step), decoding sequentially.

        `size=(w, h)` downscales inside the colour conversion (one swscale pass). A damaged
        tail ends the iteration early; `damaged_from` then holds the first missing index.
        """
        stop = len(self) if stop is None else min(stop, len(self))
        for i in range(max(0, start), stop, max(1, step)):
            try:
                frame = self._advance_to(i)
            except InputError as exc:
                self.damaged_from = i
                log.warning("%s", exc)
                return
            yield i, self._convert(frame, size)

    def _convert(self, frame: av.VideoFrame, size: tuple[int, int] | None) -> np.ndarray:
        return frame_to_rgb(frame, self._rgb, self.info.rotation, size)

    def _advance_to(self, index: int) -> av.VideoFrame:
        """Position the decoder and return the av frame whose pts is frame `index`'s."""
        if not 0 <= index < len(self._pts):
            raise IndexError(f"frame {index} out of range [0, {len(self._pts)})")
        if self._next < 0 or not self._next <= index <= self._next + FORWARD_LIMIT:
            self._seek(index)
        while True:
            got = self._pull()
            if got is None or got[0] > index:
                self._next = -1
                raise InputError(self.path, f"frame {index} cannot be decoded (the file is damaged there)")
            if got[0] == index:
                return got[1]

    def _seek(self, index: int) -> None:
        """Seek so the next decoded frame is at or before `index`, backing off for open GOPs."""
        target = self._pts[index]
        ticks_per_s = 1 / Fraction(self._stream.time_base)
        for back in SEEK_BACKOFF_S:
            self.seek_count += 1
            offset = int(target - back * ticks_per_s)
            self._container.seek(max(offset, self._pts[0]), stream=self._stream, backward=True)
            self._decoded = self._decode_packets()
            self._pending, self._next = None, 0
            first = self._pull()
            if first is not None and first[0] <= index:
                self._pending = first
                return
        self._rewind()
        first = self._pull()
        if first is not None and first[0] <= index:
            self._pending = first
            return
        self._decoded, self._next = None, -1

    def _rewind(self) -> None:
        """Decode again from the file's start by reopening it: some demuxers cannot seek back
        to their first packet (a JPEG still: the seek lands past its only image)."""
        self.seek_count += 1
        self._container.close()
        self._container = open_input(self.path)
        self._stream = video_stream(self._container, self.path)
        self._stream.thread_type = "AUTO"
        self._decoded = self._decode_packets()
        self._pending, self._next = None, 0

    def _pull(self) -> tuple[int, av.VideoFrame] | None:
        """Next decoded (index, frame), or None at the end of what the file can deliver."""
        if self._pending is not None:
            got, self._pending = self._pending, None
            return got
        if self._decoded is None:
            return None
        for frame in self._decoded:
            idx = self._index_of.get(frame.pts) if frame.pts is not None else self._next
            if idx is None:
                continue  # a frame the probe excluded (e.g. from a damaged packet)
            self._next = idx + 1
            return idx, frame
        self._decoded = None
        return None

    def _decode_packets(self) -> Iterator[av.VideoFrame]:
        """Decode packet by packet so one damaged packet costs its frame, not the clip.

        A demuxer error (cut-off file) ends the stream; the decoder is then drained so the
        frames it still buffers are delivered, as the probe's frame table expects.
        """
        packets = self._container.demux(self._stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                return
            except av.FFmpegError as exc:
                log.debug("%s: demux stopped: %s", self.path, exc)
                yield from self._safe_decode(None)
                return
            if not packet.is_corrupt:
                yield from self._safe_decode(packet)

    def _safe_decode(self, packet: av.Packet | None) -> list[av.VideoFrame]:
        try:
            return self._stream.codec_context.decode(packet)
        except av.FFmpegError as exc:
            log.debug("%s: skipping undecodable packet: %s", self.path, exc)
            return []
