"""The render pipeline, shared by export (CLI, studio) and preview (studio).

decode -> tracks[t] -> edits at t (pure) -> renderer -> temporal stabilization (when the
renderer has none) -> composite into the original frame -> encode with the source audio.
Streaming, one frame at a time: memory does not grow with clip length. Frames outside edited
ranges pass through untouched (decoded once, re-encoded).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from render_core import __version__
from render_core.edits.timeline import EditTimeline, edit_hash
from render_core.jobs import JobContext
from render_core.media.frames import to_float, to_uint8
from render_core.render.cache import RenderCache, cache_key
from render_core.render.composite import color_match, composite
from render_core.render.frame_edits import resolve_frame
from render_core.render.sources import EditSources, HeldClipTracks
from render_core.render.stabilize import EditStabilizer
from render_core.render.types import FrameRequest, Renderer

FEATHER_FRACTION = 0.004  # compositing feather, as a fraction of the frame diagonal


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


class FrameRenderer:
    """Renders edited frames in order for one sequence; keeps the renderer's temporal state,
    the stabilizer and the render cache. `render(t, frame)` takes and returns uint8 RGB."""

    def __init__(
        self,
        sources: EditSources,
        timeline: EditTimeline,
        renderer: Renderer,
        fps: float,
        renderer_key: str = "",
        cache: RenderCache | None = None,
        scale: float = 1.0,
        stabilize: bool = True,
    ) -> None:
        self.sources, self.timeline, self.renderer = sources, timeline, renderer
        self.renderer_key, self.scale = renderer_key, scale
        # a temporal renderer's output depends on the frames before: only cache stateless ones
        self.cache = cache if not renderer.temporal else None
        self.stabilizer = EditStabilizer(fps) if stabilize and not renderer.temporal else None
        self.in_sequence = False
        self.stats = {"edited": 0, "rendered": 0, "cache_hits": 0}

    def _break_sequence(self) -> None:
        if self.in_sequence:
            self.renderer.reset()
            if self.stabilizer is not None:
                self.stabilizer.reset()
        self.in_sequence = False

    def render(self, t: int, frame: np.ndarray) -> np.ndarray:
        if not self.timeline.is_edited(t):
            self._break_sequence()
            return frame
        edited = resolve_frame(self.sources, self.timeline, t, self.scale)
        if not edited.edited:
            self._break_sequence()
            return frame
        self.stats["edited"] += 1
        if self.stabilizer is not None:
            edited = self.stabilizer(edited)
        key = cache_key(t, edit_hash(self.timeline, t), self.renderer_key, frame.shape[1::-1])
        hit = self.cache.get(key) if self.cache is not None else None
        self.in_sequence = True
        if hit is not None and hit.shape == frame.shape:
            self.stats["cache_hits"] += 1
            return hit
        out = self._render_new(t, frame, edited)
        if self.cache is not None:
            self.cache.put(key, out)
        return out

    def _render_new(self, t: int, frame: np.ndarray, edited) -> np.ndarray:
        original = to_float(frame)
        h, w = frame.shape[:2]
        mask = self.sources.target.person_mask(t, (w, h)) if edited.body_edit is not None else None
        e = edited
        request = FrameRequest(t, original, e.face, e.face_edit, e.body, e.body_edit, mask)
        result = self.renderer.render(request)
        self.stats["rendered"] += 1
        feather = FEATHER_FRACTION * float(np.hypot(h, w))
        box = _changed_box(result.mask, margin=int(3 * feather) + 2)
        out = frame.copy()
        if box is None:
            return out
        sl = (slice(box[1], box[3]), slice(box[0], box[2]))
        image, mask, orig = result.image[sl], result.mask[sl], original[sl]
        if self.renderer.name != "warp":  # network output: match colours to the real frame
            image = color_match(image, orig, mask)
        out[sl] = to_uint8(composite(orig, image, mask, feather))
        return out


def _changed_box(mask: np.ndarray, margin: int) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) around mask > 0 grown by `margin`, or None for an empty mask. Compositing
    only there keeps unchanged pixels bit-identical and costs nothing outside the edit."""
    ys, xs = np.nonzero(mask > 1e-4)
    if len(xs) == 0:
        return None
    h, w = mask.shape
    return (
        max(0, xs.min() - margin),
        max(0, ys.min() - margin),
        min(w, xs.max() + 1 + margin),
        min(h, ys.max() + 1 + margin),
    )


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


@dataclass(frozen=True)
class OutputTimebase:
    """The output's frame count and rate, the clip whose audio is muxed (None: no audio) and
    that clip's frame timestamps (s), which place the audio of a frame sub-range."""

    length: int
    fps: Fraction
    audio: Path | None
    timestamps: tuple[float, ...]


def output_timebase(project, cfg: RenderConfig, target_info, target_frames: int) -> OutputTimebase:
    """The target's own timing, or that of `cfg.timebase` (a clip id; e.g. the driving dancer)."""
    from render_core.media.probe import probe

    def info_of(clip_id: str):
        return target_info if clip_id == project.target_clip else probe(project.clip_path(clip_id))

    base = info_of(cfg.timebase) if cfg.timebase else target_info
    length = base.frame_count if cfg.timebase else target_frames
    audio_id = cfg.audio_clip or cfg.timebase or project.target_clip
    a = info_of(audio_id)
    path = project.clip_path(audio_id) if a.has_audio else None
    return OutputTimebase(length, Fraction(base.fps), path, tuple(a.timestamps))


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


def render_clip(project, cfg: RenderConfig, ctx: JobContext) -> dict:
    """Export the project's target clip with its edits. Returns a summary dict."""
    from render_core.media.decode import VideoReader
    from render_core.media.encode import VideoWriter
    from render_core.render.registry import make_renderer, renderer_id
    from render_core.render.sources import load_sources

    sources = load_sources(project, ctx.sub(0.0, 0.15))
    name = cfg.renderer or project.renderer
    renderer = make_renderer(project, name, cfg.device)
    ex = project.export
    crf, preset = cfg.crf if cfg.crf is not None else ex.crf, cfg.preset or ex.preset
    use_audio = ex.audio if cfg.audio is None else cfg.audio
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
        audio_start = tb.timestamps[start] - tb.timestamps[0] if len(tb.timestamps) > start else 0.0
        with VideoWriter(
            cfg.output,
            tb.fps,
            size[0],
            size[1],
            crf=crf,
            preset=preset,
            audio_source=str(tb.audio) if use_audio and tb.audio is not None else None,
            audio_start=audio_start,
            metadata=export_metadata(project, project.timeline, name),
        ) as writer:
            for t, frame in background_plates(reader, start, stop, None if scale == 1.0 else size):
                writer.write(frames.render(t, frame))
                work.step(t - start + 1, stop - start, f"frame {t}")
    if cache is not None:
        cache.evict()
    seconds = time.perf_counter() - t0
    n = stop - start
    return {
        "output": str(Path(cfg.output).resolve()),
        "frames": n,
        "renderer": name,
        **frames.stats,
        "seconds": round(seconds, 2),
        "fps": round(n / seconds, 2) if seconds > 0 else None,
    }
