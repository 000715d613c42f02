"""Export formats: what a finished render is delivered as.

- h264: H.264 in MP4 (or MOV / MKV by the file's extension), for delivery and playback.
- prores: ProRes 422 HQ, 10-bit 4:2:2, in MOV: the intermediate an editor or grading tool
  ingests without a second lossy generation.
- png: a lossless RGB PNG sequence in a folder, one file per frame numbered by the clip's own
  frame numbers, for compositing. An image sequence carries no audio.

Why a table: the CLI's `--format`, the studio's Format box and the writers read the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from render_core.errors import InputError


@dataclass(frozen=True)
class OutputFormat:
    """name: the `--format` value; suffix: the default extension ("" = a folder);
    containers: extension -> PyAV container format the codec may go in."""

    name: str
    label: str
    suffix: str
    codec: str
    pix_fmt: str
    containers: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_sequence(self) -> bool:
        return not self.suffix

    @property
    def has_audio(self) -> bool:
        return not self.is_sequence


FORMATS: dict[str, OutputFormat] = {
    f.name: f
    for f in (
        OutputFormat(
            "h264",
            "H.264 MP4 (delivery)",
            ".mp4",
            "libx264",
            "yuv420p",
            {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"},
        ),
        OutputFormat(
            "prores",
            "ProRes 422 HQ MOV (editing, grading)",
            ".mov",
            "prores_ks",
            "yuv422p10le",
            {".mov": "mov"},
            {"profile": "3", "vendor": "apl0"},  # profile 3 = HQ; vendor as Apple's encoder writes it
        ),
        OutputFormat("png", "PNG sequence (compositing, lossless)", "", "png", "rgb24"),
    )
}


X264_PRESETS = (
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
    "placebo",
)
CRF_RANGE = (0, 51)  # x264's 8-bit quality scale: 0 lossless .. 51 worst
MAX_HEIGHT = 4320  # 8K: H.264 level 6.2's largest frame


def check_encoder_options(
    crf: int | None, preset: str | None, height: int | None, source: str | Path | None
) -> None:
    """InputError naming `source` for an x264 quality, preset or output height the encoder
    cannot use (None = the default, always fine); asked before any frame is rendered."""
    if crf is not None and not CRF_RANGE[0] <= crf <= CRF_RANGE[1]:
        raise InputError(
            source, f"--crf {crf} is out of range ({CRF_RANGE[0]}..{CRF_RANGE[1]}; lower is better)"
        )
    if preset is not None and preset not in X264_PRESETS:
        raise InputError(
            source, f"--preset {preset!r} is not an x264 preset (choose from {', '.join(X264_PRESETS)})"
        )
    if height is not None and not 2 <= height <= MAX_HEIGHT:
        raise InputError(source, f"--height {height} is out of range (2..{MAX_HEIGHT} px)")


def format_for(output: str | Path, name: str | None = None) -> OutputFormat:
    """The format of an export to `output`: `name` when given, else the one its extension
    implies (.mov -> ProRes, anything else -> H.264). InputError naming the file when the two
    do not go together."""
    suffix = Path(output).suffix.lower()
    if name is None:
        name = "prores" if suffix == ".mov" else "h264"
    fmt = FORMATS.get(name)
    if fmt is None:
        raise InputError(output, f"unknown format {name!r} (choose from {', '.join(FORMATS)})")
    if fmt.is_sequence and suffix:
        raise InputError(output, "a PNG sequence is written to a folder; give a path without an extension")
    if not fmt.is_sequence and suffix not in fmt.containers:
        allowed = ", ".join(fmt.containers)
        raise InputError(output, f"{fmt.label} needs a file ending in {allowed}")
    return fmt


def with_format_suffix(path: Path, fmt: OutputFormat) -> Path:
    """`path` renamed for `fmt`: its extension swapped (or dropped, for a sequence's folder)."""
    if fmt.is_sequence:
        return path.with_suffix("")
    return path if path.suffix.lower() in fmt.containers else path.with_suffix(fmt.suffix)
