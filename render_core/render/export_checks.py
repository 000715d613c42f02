"""What an export is refused for before any work starts, and warned about after it succeeds.

Why one module: the CLI's render / reenact / transfer, a batch and the studio's export all go
through `check_export` first (a batch checks every item before the first long render), so a
bad output path, a frame range with nothing to encode or an encoder option x264 cannot use is
one line naming the file, found in seconds, not after the tracking or the whole render.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from render_core.edits.timeline import EditTimeline
from render_core.errors import InputError
from render_core.io_atomic import check_writable
from render_core.media.formats import OutputFormat, check_encoder_options, format_for
from render_core.media.image_sequence import check_replaceable
from render_core.project.io import check_clip_identity
from render_core.render.frame_edits import unrendered_kinds
from render_core.render.timebase import checked_range, output_length

if TYPE_CHECKING:
    from render_core.render.pipeline import RenderConfig


def check_output(project, output: str | Path, format_name: str | None = None) -> OutputFormat:
    """The output's format, after refusing an output that does not fit it or that would replace
    one of the project's clips: the finished file is renamed over its path at the end, and the
    footage would be gone; or that cannot be written (read-only, a folder, under a file). (A
    missing folder is made when the export starts.)"""
    fmt = format_for(output, format_name)
    if fmt.is_sequence:
        check_replaceable(Path(output))
    out = Path(output).expanduser().resolve()
    for clip in project.clips:
        if out == project.clip_path(clip.id).resolve():
            problem = f"is the project's clip {clip.id}; exporting there would replace the footage"
            raise InputError(output, problem)
    check_writable(output, folder=fmt.is_sequence)
    return fmt


def check_driving(project) -> None:
    """Refuse an export with a reenact / transfer layer that has keyframes but no driving clip:
    its frames would come out unedited, without a word (the preview shows them so too)."""
    from render_core.edits.settings import undriven_layers

    missing = undriven_layers(project.timeline.layers)
    if missing:
        ly = missing[0]
        raise InputError(
            project.folder,
            f"layer '{ly.name}' ({ly.kind}) has no driving clip; choose one in the inspector "
            f"or with `edit PROJECT {ly.kind} --driving CLIP`, or disable the layer",
        )


def check_driving_subject(kind: str, tracks, clip: str | Path) -> None:
    """InputError naming `clip` when a driving clip lacks what a `kind` layer follows: a face
    for reenactment, a person seen head to ankles (global pose normalization scales the dance
    by it) for motion transfer. Otherwise every frame would export "edited" with nothing."""
    t = tracks.tracks
    if kind == "reenact_face" and (t.face is None or not t.face.valid.any()):
        raise InputError(clip, "no face is found in any frame: there is no face motion to reenact")
    if kind == "transfer_body":
        if t.body is None or not t.body.valid.any():
            raise InputError(clip, "no person is found in any frame: there is no dance to transfer")
        whole_body(tracks, clip)


def whole_body(tracks, clip: str | Path) -> None:
    """InputError naming `clip` unless some frame shows the body from head to ankles."""
    try:
        tracks.pose_stats  # noqa: B018 (computed and cached here, checked before the render)
    except ValueError:
        raise InputError(
            clip,
            "no frame shows the whole body (head to ankles), which motion transfer needs to scale the dance",
        ) from None


def check_sources(project, sources) -> None:
    """Every enabled driving layer's clip has its subject; a transfer's target shows a whole body."""
    for layer in project.timeline.layers:
        clip = layer.settings.get("driving_clip")
        if layer.enabled and clip in sources.driving:
            check_driving_subject(layer.kind, sources.driving[clip], project.clip_path(clip))
            if layer.kind == "transfer_body":
                whole_body(sources.target, project.clip_path(project.target_clip))


def check_export(project, cfg: RenderConfig) -> OutputFormat:
    """Everything an export can be refused for, before any work starts (a batch checks every
    item first): the output, the driving clips, the frame range and the encoder options."""
    fmt = check_output(project, cfg.output, cfg.format)
    check_clip_identity(project)
    check_driving(project)
    checked_range(cfg.frames, output_length(project, cfg), project.folder)
    check_encoder_options(cfg.crf, cfg.preset, cfg.height, project.folder)
    return fmt


def export_warnings(project, frames: tuple[int, int], stats: dict, size: tuple[int, int], fmt) -> list[str]:
    """What the user should know about an export that did succeed: frames the edits asked for
    that came out unedited (no face or person tracked there), and a size padded to even."""
    out = []
    wanted = sum(project.timeline.is_edited(t) for t in range(*frames))
    if stats.get("edited", 0) < wanted:
        out.append(
            f"{wanted - stats.get('edited', 0)} of {wanted} frames with edits came out unedited: the "
            "target clip shows no face or person there for the edits to move (see `track CLIP`)"
        )
    w, h = size
    if not fmt.is_sequence and (w % 2 or h % 2):
        out.append(
            f"{w}x{h} is padded to {w + w % 2}x{h + h % 2} (edge repeated): {fmt.label} needs even sizes"
        )
    return out


def unrendered_warnings(timeline: EditTimeline, renderer) -> list[str]:
    """One line per edit kind on the timeline that `renderer` does not draw (a viewpoint layer
    under a face or body renderer): those frames are exported without that edit."""

    return [
        f"{kind} layers are not rendered by the '{renderer.name}' renderer"
        + (": viewpoint edits need a novel-view model" if kind == "viewpoint" else "")
        + "; their frames are exported without that edit"
        for kind in unrendered_kinds(timeline, renderer.kinds)
    ]
