"""Copy a source clip's audio packets into an output container, bit-exact, trimmed to a window.

No re-encode: packets are demuxed from the source and muxed unchanged except for their
timestamps, which are shifted so `start` (source seconds) lands at output time 0. The copy is
pumped along with the video so memory stays bounded and the file interleaves. Trimming is at
packet granularity (AAC: 1024 samples, ~23 ms at 44.1 kHz): the audio never runs past the
video's end by more than one packet.

A negative `start` delays the audio: the source's beginning sounds `-start` seconds into the
output, silent before it. `first` (source seconds) drops what comes before it, e.g. a driving
clip's audio before the frame its layer starts from. Nothing is synthesized for a gap: the
packets' timestamps are shifted later and the MP4 muxer records the initial delay as an empty
edit (rounded to its 1 ms movie timescale, well within one packet).
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

import av

from render_core.media.probe import open_input

log = logging.getLogger(__name__)


class AudioCopier:
    """Streams the first audio track of `source` into `out`: `start` is the source time (s) at
    output time 0 (negative: the audio begins `-start` seconds into the output); packets before
    source time `first` (default: `start`) and from source time `last` on are left out."""

    def __init__(
        self,
        source: str | Path,
        out: av.container.OutputContainer,
        start: float = 0.0,
        first: float | None = None,
        last: float | None = None,
    ) -> None:
        self._src = open_input(source)
        self._in = self._src.streams.audio[0] if self._src.streams.audio else None
        self.stream = out.add_stream_from_template(self._in) if self._in is not None else None
        self._out = out
        self._packets = self._src.demux(self._in) if self._in is not None else iter(())
        self._held: av.Packet | None = None
        self._tb = Fraction(self._in.time_base) if self._in is not None else Fraction(1)
        self._start = round(Fraction(start) / self._tb)  # source pts at output time 0 (< 0: a delay)
        opens = start if first is None else max(start, first)  # never before output time 0
        self._first = round(Fraction(opens) / self._tb)
        self._last = None if last is None else round(Fraction(last) / self._tb)
        # from the very first packet (encoder priming included) when the window opens at or
        # before the source's beginning, so a delayed copy starts exactly at `-start`
        self._from_beginning = self._in is None or opens <= float((self._in.start_time or 0) * self._tb)
        self.copied = 0
        if self._in is None:
            log.info("%s has no audio track; writing video only", source)

    def pump(self, until_s: float) -> None:
        """Mux every source packet whose start maps before `until_s` output seconds."""
        limit = self._start + Fraction(until_s) / self._tb
        while True:
            packet = self._held if self._held is not None else self._next_packet()
            self._held = None
            if packet is None:
                return
            if self._last is not None and packet.pts >= self._last:
                self._packets = iter(())  # the window has closed: read no further
                return
            if packet.pts >= limit:
                self._held = packet
                return
            if self._from_beginning or packet.pts >= self._first:
                self._mux(packet)

    def _next_packet(self) -> av.Packet | None:
        for packet in self._packets:
            if packet.size > 0 and packet.pts is not None:
                return packet
        return None

    def _mux(self, packet: av.Packet) -> None:
        packet.pts -= self._start
        packet.dts = packet.pts if packet.dts is None else packet.dts - self._start
        packet.time_base = self._tb
        packet.stream = self.stream
        self._out.mux(packet)
        self.copied += 1

    def close(self) -> None:
        self._held = None
        self._src.close()
