"""Argument parsing helpers shared by the command modules."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from render_core.errors import InputError


def frame_range(text: str) -> tuple[int, int | None]:
    """`A:B` -> (A, B) half-open frame range; `A:` -> (A, None); `:B` -> (0, B)."""
    try:
        a, b = text.split(":")
        start = int(a) if a else 0
        stop = int(b) if b else None
    except ValueError:
        raise argparse.ArgumentTypeError(f"frame range {text!r} must look like A:B (e.g. 0:120)") from None
    if start < 0 or (stop is not None and stop <= start):
        raise argparse.ArgumentTypeError(f"frame range {text!r} is empty or negative")
    return start, stop


def non_negative_int(text: str) -> int:
    """An integer >= 0 (a count or an index), else an argparse error naming the value."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative (0 or more)")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1 (a step count, a frame count, a size), else an argparse error."""
    value = non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be 1 or more")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (a time budget), else an argparse error: 0, -1, nan and inf train
    nothing or never stop."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a number above 0")
    return value


def existing_file(path: str | Path) -> Path:
    """The path, or an InputError naming it when it is not a readable file."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, "no such file")
    if not p.is_file():
        raise InputError(p, "is not a file")
    return p


def add_format_argument(p) -> None:
    """`--format` of the exporting commands (render, reenact, transfer): media.formats' rows."""
    from render_core.media.formats import FORMATS

    p.add_argument(
        "--format",
        choices=list(FORMATS),
        help="h264 (MP4), prores (ProRes 422 HQ .mov) or png (a PNG sequence in the output folder, "
        "no audio); default: from the output's extension (.mov = prores, else h264)",
    )


def add_encoding_arguments(p) -> None:
    """How every exporting command (render, reenact, transfer) encodes: the same names, the
    same defaults, checked in one place (`media.formats.check_encoder_options`)."""
    p.add_argument("--height", type=int, help="output height in px (default: the source's)")
    p.add_argument("--crf", type=int, help="x264 quality 0..51 (lower = better; default: project setting)")
    p.add_argument("--preset", help="x264 preset (ultrafast..veryslow; default: project setting)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    add_format_argument(p)


def add_driven_export_arguments(p, driving_help: str) -> None:
    """The arguments reenact and transfer share: the project, the driving clip, the output, its
    frames and audio, and the encoding (`add_encoding_arguments`)."""
    p.add_argument("--project", required=True, help="project folder (its target clip is the one edited)")
    p.add_argument("--driving", required=True, help=f"{driving_help} (added to the project)")
    p.add_argument("-o", "--output", required=True, help="output video file (or folder, with --format png)")
    p.add_argument(
        "--frames", type=frame_range, help="only output frames A:B (on the driving clip's timebase)"
    )
    p.add_argument(
        "--audio",
        choices=["driving", "target", "none"],
        default="driving",
        help="whose audio to keep (default: the driving clip's, which the performance follows)",
    )
    add_encoding_arguments(p)
