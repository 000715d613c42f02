"""Is an opened clip whole? A file cut short (a copy or download that stopped) often keeps its
header, which still declares the full length; the frames that decode are fewer. The studio
opens what decodes and says so, instead of presenting a shorter clip as if it were complete.
"""

from __future__ import annotations

from fractions import Fraction

from render_core.media.clip_info import ClipInfo
from render_core.media.probe import open_input, video_stream

MISSING_TOLERANCE = 0.02  # of the declared frames (rounding of container durations)


def declared_frames(path: str, fps: Fraction) -> int | None:
    """How many frames the container's header says the video stream has (None if it does not
    say): its frame count, else its duration at `fps`."""
    container = open_input(path)
    try:
        stream = video_stream(container, path)
        if stream.frames:
            return int(stream.frames)
        if stream.duration and stream.time_base:
            return round(float(stream.duration * stream.time_base * fps))
        if container.duration:
            return round(container.duration / 1_000_000 * float(fps))
        return None
    finally:
        container.close()


def damage_note(info: ClipInfo) -> str | None:
    """One line when fewer frames decode than the file declares, else None."""
    declared = declared_frames(info.path, info.fps)
    if declared is None or info.frame_count >= declared * (1 - MISSING_TOLERANCE) - 1:
        return None
    seconds = declared / float(info.fps)
    return (
        f"damaged or truncated: only {info.frame_count} of the {declared} frames it declares "
        f"({seconds:.1f} s) can be read; it opens with those"
    )
