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
from typing import Any

import cv2

from render_core import __version__
from render_core.edits.timeline import EditTimeline
from render_core.jobs import JobContext
from render_core.media.decode import VideoReader
from render_core.media.encode import VideoWriter
from render_core.media.formats import OutputFormat
from render_core.media.image_sequence import ImageSequenceWriter
from render_core.provenance import sign_export
from render_core.render.cache import RenderCache
from render_core.render.export_checks import check_export, check_sources, export_warnings, unrendered_warnings
from render_core.render.frame_renderer import FrameRenderer
from render_core.render.registry import make_renderer, renderer_id
from render_core.render.sources import HeldClipTracks, load_sources
from render_core.render.timebase import audio_window, checked_range, output_timebase


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


@dataclass(frozen=True)
class ExportPlan:
    """What an export settled before its first frame: the output's timebase, frame range [start,
    stop), scale and size of the output frames against the source's, and encoder settings."""

    fmt: OutputFormat
    renderer: str
    timebase: Any
    start: int
    stop: int
    scale: float
    size: tuple[int, int]
    crf: int
    preset: str
    audio: bool


def plan_export(project, cfg: RenderConfig, fmt: OutputFormat, info, frame_count: int) -> ExportPlan:
    """The export's plan for a target clip with `info` that decodes `frame_count` frames."""
    ex = project.export
    tb = output_timebase(project, cfg, info, frame_count)
    start, stop = checked_range(cfg.frames, tb.length, project.folder)
    height = cfg.height or ex.height
    scale = 1.0 if not height else height / info.height
    size = (max(2, round(info.width * scale)), max(2, round(info.height * scale)))
    crf, preset = cfg.crf if cfg.crf is not None else ex.crf, cfg.preset or ex.preset
    audio = bool((ex.audio if cfg.audio is None else cfg.audio) and fmt.has_audio)
    return ExportPlan(fmt, cfg.renderer or project.renderer, tb, start, stop, scale, size, crf, preset, audio)


def open_writer(project, cfg: RenderConfig, plan: ExportPlan, colour):
    """The output's writer (`*.part` until it closes): a PNG sequence or an encoded video with the
    audio window the config asks for, tagged as synthetically edited."""

    tb, (w, h), start = plan.timebase, plan.size, plan.start
    metadata = export_metadata(project, project.timeline, plan.renderer)
    if plan.fmt.is_sequence:
        return ImageSequenceWriter(cfg.output, tb.fps, w, h, start, metadata)
    audio_start, audio_from = audio_window(tb.fps, tb.timestamps, start, cfg.audio_sync)
    times = tb.frame_times(start, plan.stop)  # None at a constant rate
    audio_until = None
    if cfg.audio_stop is not None:  # a layer's audio ends at its frame's own time (VFR too)
        k = cfg.audio_stop - start
        audio_until = audio_start + (times[k] if times and 0 <= k < len(times) else k / float(tb.fps))
    return VideoWriter(
        cfg.output, tb.fps, w, h, crf=plan.crf, preset=plan.preset,
        audio_source=str(tb.audio) if plan.audio and tb.audio is not None else None,
        audio_start=audio_start, audio_from=audio_from, audio_until=audio_until, metadata=metadata,
        fmt=plan.fmt, colour=colour, frame_times=times,
    )  # fmt: skip


def stream_frames(reader, frames: FrameRenderer, writer, plan: ExportPlan, work: JobContext) -> None:
    """Decode, render and write the planned range, one frame (or one renderer batch) at a time."""
    start, stop = plan.start, plan.stop
    for t, frame in background_plates(reader, start, stop, None if plan.scale == 1.0 else plan.size):
        for out in frames.push(t, frame):
            writer.write(out)
        work.step(t - start + 1, stop - start, f"frame {t}")
    for out in frames.flush():
        writer.write(out)


def export_summary(project, cfg: RenderConfig, plan: ExportPlan, frames: FrameRenderer, written: int,
                   seconds: float, damaged: int | None) -> dict:  # fmt: skip
    """The summary an export reports: counts, speed, the renderer's notes and every warning."""
    clip = project.clip_path(project.target().id)
    notes = frames.notes.report()
    warnings = unrendered_warnings(project.timeline, frames.renderer) + notes.pop("warnings", [])
    warnings += getattr(frames.renderer, "report", dict)().get("warnings", [])  # what the clip lacks
    warnings += export_warnings(project, (plan.start, plan.stop), frames.stats, plan.size, plan.fmt)
    if damaged is not None:
        warnings.append(
            f"{clip}: frames from {damaged} on cannot be decoded (damaged file); the export ends there"
        )
    return {
        "output": str(Path(cfg.output).resolve()),
        "format": plan.fmt.name,
        "frames": written,
        "renderer": plan.renderer,
        **frames.stats,
        **notes,
        "seconds": round(seconds, 2),
        "fps": round(written / seconds, 2) if seconds > 0 else None,
        **({"warnings": warnings} if warnings else {}),
    }


def render_clip(project, cfg: RenderConfig, ctx: JobContext) -> dict:
    """Export the project's target clip with its edits. Returns a summary dict."""
    fmt = check_export(project, cfg)
    sources = load_sources(project, ctx.sub(0.0, 0.15))
    check_sources(project, sources)
    cache = (
        RenderCache(Path(project.folder) / "cache" / "renders") if cfg.use_cache and project.folder else None
    )
    t0, work = time.perf_counter(), ctx.sub(0.15, 1.0)
    try:
        with VideoReader(project.clip_path(project.target().id)) as reader:
            plan = plan_export(project, cfg, fmt, reader.info, len(reader))
            if cfg.timebase is not None:  # the target's frames are plates under another clip's timing
                sources = replace(sources, target=HeldClipTracks.of(sources.target))
            renderer = make_renderer(project, plan.renderer, cfg.device)
            key = renderer_id(project, plan.renderer)
            fps = float(plan.timebase.fps)
            frames = FrameRenderer(
                sources, project.timeline, renderer, fps, key, cache, plan.scale, cfg.stabilize
            )
            writer = open_writer(project, cfg, plan, reader.colour)
            sign_export(writer, project, plan.renderer, (plan.start, plan.stop))  # Content Credentials
            with writer:
                stream_frames(reader, frames, writer, plan, work)
            damaged, written = reader.damaged_from, writer.frames_written
    finally:  # frames rendered before a cancel or an error are kept for the next export
        if cache is not None:
            cache.close()
    if cache is not None:
        cache.evict()
    return export_summary(project, cfg, plan, frames, written, time.perf_counter() - t0, damaged)
