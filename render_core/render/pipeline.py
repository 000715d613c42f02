"""The render pipeline, shared by export (CLI, studio) and preview (studio).

decode -> tracks[t] -> edits at t (pure) -> renderer -> temporal stabilization (when the
renderer has none) -> composite into the original frame -> encode with the source audio.
Streaming, one frame at a time (a batching renderer gets a few consecutive frames at once:
`frame_renderer`): memory does not grow with clip length. Frames outside edited ranges pass
through untouched (decoded once, re-encoded). The output's timing and audio placement:
`timebase`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import cv2

from render_core import __version__
from render_core.edits.timeline import EditTimeline
from render_core.errors import InputError
from render_core.jobs import JobContext
from render_core.media.formats import OutputFormat, format_for
from render_core.media.image_sequence import check_replaceable
from render_core.provenance import sign_export
from render_core.render.cache import RenderCache
from render_core.render.frame_renderer import FrameRenderer
from render_core.render.sources import HeldClipTracks
from render_core.render.timebase import audio_window, output_timebase


@dataclass(frozen=True)
class RenderConfig:
    """One export. frames: half-open [start, stop) (stop None = to the end); height: output
    height in px (None = source); crf/preset/audio None = the project's export settings."""

    output: str
    frames: tuple[int, int | None] = (0, None)
    renderer: str | None = None
    height: int | None = None
    crf: int | None = None
    preset: str | None = None
    audio: bool | None = None
    use_cache: bool = True
    stabilize: bool = True
    device: str = "auto"
    # A clip id whose frame count and fps the output follows (motion transfer follows the driving
    # dancer); the target's frames become background plates, its last frame held past its end.
    timebase: str | None = None
    audio_clip: str | None = None  # clip whose audio is muxed (default: the timebase clip, else target)
    # (output frame, audio-clip frame) that sound at the same time, e.g. a reenact layer's
    # (start, offset) for its driving clip's audio; None: the export's first frame with itself.
    audio_sync: tuple[int, int] | None = None
    audio_stop: int | None = None  # output frame (exclusive) where that audio ends (a layer's end)
    format: str | None = None  # media.formats name (None: from the output's extension)


def export_metadata(project, timeline: EditTimeline, renderer_name: str) -> dict[str, str]:
    """Container tags marking the file as synthetically edited, and by what."""
    kinds = sorted({ly.kind for ly in timeline.layers if ly.enabled and ly.keyframes})
    note = (
        f"SYNTHETICALLY EDITED with Render Studio {__version__}; renderer={renderer_name}; "
        f"edits={','.join(kinds) or 'none'}"
    )
    return {
        "comment": note,
        "description": note,
        "title": project.name,
        "encoded_by": f"Render Studio {__version__}",
    }


def background_plates(reader, start: int, stop: int, size: tuple[int, int] | None):
    """(t, uint8 RGB frame) for t in [start, stop): the target's frame t, its last frame held
    for t past its end (a static-camera plate under an output longer than the target)."""
    n, last = len(reader), None
    for t, frame in reader.frames(start, min(stop, n), size=size):
        last = frame
        yield t, frame
    if stop <= max(start, n):
        return
    if last is None:
        last = reader.read(n - 1)
        if size is not None:
            last = cv2.resize(last, size, interpolation=cv2.INTER_AREA)
    for t in range(max(start, n), stop):
        yield t, last


def marked_frames(project) -> tuple[int, int | None]:
    """The frames a project's in/out marks select, [in, out + 1), or the whole clip: what an
    export covers unless told otherwise (`render`, the studio's dialog and batch queue)."""
    marks = project.timeline.in_out
    return (0, None) if marks is None else (marks[0], marks[1] + 1)


def check_output(project, output: str | Path, format_name: str | None = None) -> OutputFormat:
    """The output's format, after refusing an output that does not fit it or that would replace
    one of the project's clips: the finished file is renamed over its path at the end, and the
    footage would be gone. (A missing folder is made.)"""
    fmt = format_for(output, format_name)
    if fmt.is_sequence:
        check_replaceable(Path(output))
    out = Path(output).expanduser().resolve()
    for clip in project.clips:
        if out == project.clip_path(clip.id).resolve():
            problem = f"is the project's clip {clip.id}; exporting there would replace the footage"
            raise InputError(output, problem)
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


def unrendered_warnings(timeline: EditTimeline, renderer) -> list[str]:
    """One line per edit kind on the timeline that `renderer` does not draw (a viewpoint layer
    under a face or body renderer): those frames are exported without that edit."""
    from render_core.render.frame_edits import unrendered_kinds

    return [
        f"{kind} layers are not rendered by the '{renderer.name}' renderer"
        + (": viewpoint edits need a novel-view model" if kind == "viewpoint" else "")
        + "; their frames are exported without that edit"
        for kind in unrendered_kinds(timeline, renderer.kinds)
    ]


def render_clip(project, cfg: RenderConfig, ctx: JobContext) -> dict:
    """Export the project's target clip with its edits. Returns a summary dict."""
    from render_core.media.decode import VideoReader
    from render_core.media.encode import VideoWriter
    from render_core.media.image_sequence import ImageSequenceWriter
    from render_core.render.registry import make_renderer, renderer_id
    from render_core.render.sources import load_sources

    fmt = check_output(project, cfg.output, cfg.format)
    check_driving(project)
    sources = load_sources(project, ctx.sub(0.0, 0.15))
    name = cfg.renderer or project.renderer
    renderer = make_renderer(project, name, cfg.device)
    ex = project.export
    crf, preset = cfg.crf if cfg.crf is not None else ex.crf, cfg.preset or ex.preset
    use_audio = (ex.audio if cfg.audio is None else cfg.audio) and fmt.has_audio
    height = cfg.height or ex.height
    cache = None
    if cfg.use_cache and project.folder:
        cache = RenderCache(Path(project.folder) / "cache" / "renders")
    clip = project.clip_path(project.target().id)
    t0, work = time.perf_counter(), ctx.sub(0.15, 1.0)
    with VideoReader(clip) as reader:
        info = reader.info
        tb = output_timebase(project, cfg, info, len(reader))
        if cfg.timebase is not None:
            sources = replace(sources, target=HeldClipTracks.of(sources.target))
        start, stop = cfg.frames[0], min(cfg.frames[1] or tb.length, tb.length)
        scale = 1.0 if not height else height / info.height
        size = (max(2, round(info.width * scale)), max(2, round(info.height * scale)))
        key = renderer_id(project, name)
        frames = FrameRenderer(
            sources, project.timeline, renderer, float(tb.fps), key, cache, scale, cfg.stabilize
        )
        audio_start, audio_from = audio_window(tb.fps, tb.timestamps, start, cfg.audio_sync)
        audio_until = None
        if cfg.audio_stop is not None:
            audio_until = audio_start + (cfg.audio_stop - start) / float(tb.fps)
        metadata = export_metadata(project, project.timeline, name)
        if fmt.is_sequence:
            writer = ImageSequenceWriter(cfg.output, tb.fps, size[0], size[1], start, metadata)
        else:
            writer = VideoWriter(
                cfg.output,
                tb.fps,
                size[0],
                size[1],
                crf=crf,
                preset=preset,
                audio_source=str(tb.audio) if use_audio and tb.audio is not None else None,
                audio_start=audio_start,
                audio_from=audio_from,
                audio_until=audio_until,
                metadata=metadata,
                fmt=fmt,
                colour=reader.colour,
            )
        sign_export(writer, project, name, (start, stop))
        with writer:
            for t, frame in background_plates(reader, start, stop, None if scale == 1.0 else size):
                for out in frames.push(t, frame):
                    writer.write(out)
                work.step(t - start + 1, stop - start, f"frame {t}")
            for out in frames.flush():
                writer.write(out)
    if cache is not None:
        cache.evict()
    seconds = time.perf_counter() - t0
    n = stop - start
    notes = frames.notes.report()
    notes["warnings"] = unrendered_warnings(project.timeline, renderer) + notes.get("warnings", [])
    if not notes["warnings"]:
        del notes["warnings"]
    return {
        "output": str(Path(cfg.output).resolve()),
        "format": fmt.name,
        "frames": n,
        "renderer": name,
        **frames.stats,
        **notes,
        "seconds": round(seconds, 2),
        "fps": round(n / seconds, 2) if seconds > 0 else None,
    }
