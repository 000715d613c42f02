"""The output's timing and where the audio goes in it: the target's own frames and sound, a
driving clip's timebase (motion transfer follows the dancer), or a driving clip's audio placed
at its layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from render_core.errors import InputError
from render_core.media.probe import probe

if TYPE_CHECKING:
    from render_core.render.pipeline import RenderConfig


@dataclass(frozen=True)
class OutputTimebase:
    """The output's frame count and rate, the clip whose audio is muxed (None: no audio) and
    that clip's frame timestamps (s), which place the audio of a frame sub-range."""

    length: int
    fps: Fraction
    audio: Path | None
    timestamps: tuple[float, ...]
    # the timing clip's own frame times (s) when it is variable-rate, else () (CFR at `fps`)
    vfr_times: tuple[float, ...] = ()

    def frame_times(self, start: int, stop: int) -> tuple[float, ...] | None:
        """Output times (s from the export's first frame) of frames [start, stop) on a VFR
        timebase: each frame where its source frame was, so picture and copied audio stay in
        sync; None for a constant rate (frame index / fps)."""
        if not self.vfr_times or stop > len(self.vfr_times):
            return None
        t0 = self.vfr_times[start]
        return tuple(self.vfr_times[t] - t0 for t in range(start, stop))


def output_timebase(project, cfg: RenderConfig, target_info, target_frames: int) -> OutputTimebase:
    """The target's own timing, or that of `cfg.timebase` (a clip id; e.g. the driving dancer)."""

    def info_of(clip_id: str):
        return target_info if clip_id == project.target_clip else probe(project.clip_path(clip_id))

    base = info_of(cfg.timebase) if cfg.timebase else target_info
    length = base.frame_count if cfg.timebase else target_frames
    audio_id = cfg.audio_clip or cfg.timebase or project.target_clip
    a = info_of(audio_id)
    path = project.clip_path(audio_id) if a.has_audio else None
    vfr = tuple(base.timestamps) if base.is_vfr and len(base.timestamps) == length else ()
    return OutputTimebase(length, Fraction(base.fps), path, tuple(a.timestamps), vfr)


def checked_range(frames: tuple[int, int | None], length: int, path: str | Path | None) -> tuple[int, int]:
    """`frames` ([start, stop), stop None = to the end) clipped to an output of `length` frames;
    InputError naming `path` when nothing is left to encode, asked before any work starts."""
    start, stop = frames
    end = length if stop is None else min(stop, length)
    if start < 0 or start >= end:
        asked = f"{start}:{'' if stop is None else stop}"
        raise InputError(
            path, f"frames {asked} hold nothing to export: the output has {length} frames (0:{length})"
        )
    return start, end


def output_length(project, cfg: RenderConfig) -> int:
    """Frames of the output before any decoding: the target's, or the timebase clip's."""

    clip_id = cfg.timebase or project.target_clip
    info = project.clip(clip_id).info or probe(project.clip_path(clip_id))
    return info.frame_count


def audio_window(
    fps: Fraction, audio_times: Sequence[float], start: int, sync: tuple[int, int] | None = None
) -> tuple[float, float | None]:
    """(audio start, audio from) for an export that begins at output frame `start`. audio start:
    the audio clip's time (s from its first frame) at output time 0, negative when the audio
    begins that many seconds into the output; audio from: the clip time before which nothing is
    copied (None: from the audio start on).

    Output frame t sounds at (t - start) / fps, or at its source time on a VFR timebase.
    `sync` = (output frame, audio-clip frame) that play together, and the audio is silent
    before them (a driving clip's speech begins with its layer); None pairs `start` with the
    audio clip's own frame `start` (the original sound, or a timebase clip's).
    `audio_times`: the clip's frame times (s).
    """
    if sync is None:
        return _clip_time(audio_times, start), None
    out_frame, audio_frame = sync
    sync_time = _clip_time(audio_times, audio_frame)
    return sync_time - (out_frame - start) / float(fps), sync_time


def _clip_time(times: Sequence[float], i: int) -> float:
    """Seconds from a clip's first frame to its frame i, extrapolated at the mean frame interval
    outside the clip (a sync frame past its end or before its start)."""
    n = len(times)
    if 0 <= i < n:
        return times[i] - times[0]
    step = (times[-1] - times[0]) / (n - 1) if n > 1 else 0.0
    return i * step if i < 0 else times[-1] - times[0] + (i - n + 1) * step
