"""Video file writer (H.264 MP4 by default, or a `formats` row such as ProRes MOV) with the
source's audio stream-copied back in, written atomically.

The file is written under `<stem>.part<suffix>` and renamed on `close()`; `abort()` (or an
exception inside the `with` block) removes it, so a cancelled export never leaves a half file.
Convention: frames are (H, W, 3) RGB, uint8 or float in [0, 1]; `width`/`height` are the frame
size; odd sizes are edge-padded to even (4:2:0 and 4:2:2 chroma). Output pts are frame
indices / fps (CFR), or, given `frame_times` (a variable-frame-rate source's), each frame's own
time in a 1/90000 s time base, so every frame keeps its place against the copied audio.
`colour`: the source's tags; the file is encoded with its matrix and tagged (`media.colour`),
so untouched pixels keep their source values in any player.
`audio_start`: the audio source's time (s) at output time 0; negative delays the audio.
`audio_from`: the source time before which no audio is copied (None: from `audio_start`);
`audio_until`: the source time from which none is (None: to the video's end).
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from render_core.errors import file_system_error
from render_core.io_atomic import atomic_path
from render_core.media.audio_copy import AudioCopier
from render_core.media.colour import ColourTags, YuvEncoder, export_colour
from render_core.media.formats import FORMATS, OutputFormat
from render_core.media.frames import checked_frame

VFR_TIME_BASE = Fraction(1, 90000)  # the MPEG clock: a frame's time is kept to 11 us


class WriterAborted(Exception):
    """Raised into the atomic-path context so it discards the temporary file."""


class FrameWriter(ABC):
    """What every export writer shares: a context manager that closes on success and aborts
    (leaving nothing under the final name) on an exception; `duration` of what is written."""

    fps: Fraction
    frames_written: int
    _finishers: tuple[Callable[[Path], None], ...] = ()

    def finish_with(self, finisher: Callable[[Path], None]) -> None:
        """Run `finisher(temporary path)` on the complete output just before it is moved into
        place (signing it, say): what it changes is published with the file, and when it
        raises, the export is discarded like any failed one."""
        self._finishers = (*self._finishers, finisher)

    def _finish(self, tmp: Path) -> None:
        for finisher in self._finishers:
            finisher(tmp)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    @property
    def duration(self) -> float:
        """Seconds of video written so far."""
        return float(self.frames_written / self.fps)

    @abstractmethod
    def close(self) -> None:
        """Finish the output and move it into place."""

    @abstractmethod
    def abort(self) -> None:
        """Discard everything written; the final name never appears."""


class VideoWriter(FrameWriter):
    """Encode frames one by one; see the module docstring for the file contract."""

    def __init__(
        self,
        path: str | Path,
        fps: Fraction,
        width: int,
        height: int,
        crf: int = 18,
        preset: str = "medium",
        audio_source: str | Path | None = None,
        audio_start: float = 0.0,
        audio_from: float | None = None,
        audio_until: float | None = None,
        metadata: dict[str, str] | None = None,
        fmt: OutputFormat = FORMATS["h264"],
        colour: ColourTags | None = None,
        frame_times: Sequence[float] | None = None,
    ) -> None:
        self.path = Path(path)
        self.format = fmt
        self._times = tuple(frame_times or ())  # s from the first frame; () = CFR at `fps`
        self._time_base = VFR_TIME_BASE if self._times else 1 / Fraction(fps)
        self._last_pts = -1
        self._yuv = YuvEncoder(export_colour(colour, int(height)), fmt.pix_fmt)
        self.fps = Fraction(fps)
        self.width, self.height = int(width), int(height)
        self.frames_written = 0
        self._stack = contextlib.ExitStack()
        self._tmp = self._stack.enter_context(atomic_path(self.path))
        self._audio: AudioCopier | None = None
        try:
            container = fmt.containers.get(self.path.suffix.lower(), next(iter(fmt.containers.values())))
            with self._naming_output():
                self._out = av.open(str(self._tmp), "w", format=container)
            self._out.metadata.update(metadata or {})
            self._video = self._add_video_stream(crf, preset)
            if audio_source is not None:
                self._audio = AudioCopier(audio_source, self._out, audio_start, audio_from, audio_until)
        except BaseException:
            self.abort()
            raise

    def _add_video_stream(self, crf: int, preset: str) -> av.video.stream.VideoStream:
        fmt = self.format
        options = dict(fmt.options)
        if fmt.codec == "libx264":  # crf / preset are x264's quality and speed knobs
            options.update(crf=str(crf), preset=preset)
        stream = self._out.add_stream(fmt.codec, rate=self.fps, options=options)
        stream.width, stream.height = self.width + self.width % 2, self.height + self.height % 2
        stream.pix_fmt = fmt.pix_fmt
        self._yuv.tag(stream.codec_context)
        stream.codec_context.time_base = self._time_base
        stream.thread_type = "AUTO"
        return stream

    def write(self, frame: np.ndarray) -> None:
        """Append one frame: (height, width, 3) RGB, uint8 or float [0, 1]."""
        image = checked_frame(frame, self.width, self.height)
        pad = ((0, self.height % 2), (0, self.width % 2), (0, 0))
        if self.height % 2 or self.width % 2:
            image = np.pad(image, pad, mode="edge")
        av_frame = self._yuv(image)
        pts = max(self._last_pts + 1, round(Fraction(self.time_of(self.frames_written)) / self._time_base))
        av_frame.pts, av_frame.time_base, self._last_pts = pts, self._time_base, pts
        with self._naming_output():
            self._mux(self._video.encode(av_frame))
        self.frames_written += 1
        if self._audio is not None:
            self._audio.pump(self.duration)

    def time_of(self, k: int) -> float:
        """Output time (s) of frame k: its entry in `frame_times` (past the table's end, one
        nominal period after the last), else k / fps."""
        n = len(self._times)
        if k < n:
            return self._times[k]
        if n:
            return self._times[-1] + float((k - n + 1) / self.fps)
        return float(k / self.fps)

    @property
    def duration(self) -> float:
        """Seconds of video written so far: up to where the next frame would begin."""
        return self.time_of(self.frames_written)

    def close(self) -> None:
        """Flush the encoder, finish the audio at the video's end, move the file into place."""
        if self._out is None:
            return
        try:
            with self._naming_output():
                self._mux(self._video.encode(None))
                if self._audio is not None:
                    self._audio.pump(self.duration)
                    self._audio.close()
                self._out.close()
            self._out = None
            self._finish(self._tmp)
        except BaseException:
            self.abort()
            raise
        with self._naming_output():
            self._stack.close()

    def _mux(self, packets) -> None:
        for packet in packets:
            self._out.mux(packet)

    @contextlib.contextmanager
    def _naming_output(self):
        """A file-system failure (disk full, drive gone) as an InputError naming the output,
        not its temporary name."""
        try:
            yield
        except OSError as exc:
            err = file_system_error(exc, self.path)
            if err is None:
                raise
            raise err from None

    def abort(self) -> None:
        """Discard everything: the temporary file is removed and the final path never appears."""
        if self._audio is not None:
            with contextlib.suppress(Exception):
                self._audio.close()
        out, self._out = getattr(self, "_out", None), None
        if out is not None:
            with contextlib.suppress(Exception):
                out.close()
        self._stack.__exit__(WriterAborted, WriterAborted("aborted"), None)
