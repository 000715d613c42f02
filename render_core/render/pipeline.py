"""The render pipeline, shared by export (CLI, studio) and preview (studio).

decode -> tracks[t] -> edits at t (pure) -> renderer -> temporal stabilization (when the
renderer has none) -> composite into the original frame -> encode with the source audio.
Streaming, one frame at a time (a batching renderer gets a few consecutive frames at once):
memory does not grow with clip length. Frames outside edited
ranges pass through untouched (decoded once, re-encoded).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
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
from render_core.render.frame_edits import EditedFrame, resolve_frame
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
    # (output frame, audio-clip frame) that sound at the same time, e.g. a reenact layer's
    # (start, offset) for its driving clip's audio; None: the export's first frame with itself.
    audio_sync: tuple[int, int] | None = None
    audio_stop: int | None = None  # output frame (exclusive) where that audio ends (a layer's end)


@dataclass(frozen=True)
class _PendingFrame:
    """An edited frame waiting for the renderer's next batch."""

    t: int
    frame: np.ndarray  # uint8 RGB
    edited: EditedFrame
    key: str


class FrameRenderer:
    """Renders edited frames in order for one sequence; keeps the renderer's temporal state,
    the stabilizer and the render cache. `render(t, frame)` takes and returns uint8 RGB.

    Export streams with `push` / `flush`: a renderer with `batch_size` > 1 (the portrait model)
    gets up to that many consecutive edited frames in one `render_batch` call, so frames come
    out in order but up to `batch_size` frames late; memory holds at most that many frames."""

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
        batch_size: int | None = None,
    ) -> None:
        self.sources, self.timeline, self.renderer = sources, timeline, renderer
        self.renderer_key, self.scale = renderer_key, scale
        # a temporal renderer's output depends on the frames before: only cache stateless ones
        self.cache = cache if not renderer.temporal else None
        self.stabilizer = EditStabilizer(fps) if stabilize and not renderer.temporal else None
        self.batch_size = max(1, batch_size or getattr(renderer, "batch_size", 1))
        self.in_sequence = False
        self.stats = {"edited": 0, "rendered": 0, "cache_hits": 0}
        self._slots: list[np.ndarray | _PendingFrame] = []  # output order; arrays are done
        self._pending = 0
        self._next: int | None = None  # the frame that continues the sequence

    def render(self, t: int, frame: np.ndarray) -> np.ndarray:
        """Frame t now (the studio's preview)."""
        return (self.push(t, frame) + self.flush())[-1]

    def push(self, t: int, frame: np.ndarray) -> list[np.ndarray]:
        """Queue frame t; returns the frames finished by now, in order. A frame that does not
        follow the previous one (a preview jump) starts a new sequence."""
        if t != self._next:
            self._break_sequence()
        self._next = t + 1
        if not self.timeline.is_edited(t):
            return self._pass_through(frame)
        edited = resolve_frame(self.sources, self.timeline, t, self.scale)
        if not edited.edited:
            return self._pass_through(frame)
        self.stats["edited"] += 1
        if self.stabilizer is not None:
            edited = self.stabilizer(edited)
        key = cache_key(t, edit_hash(self.timeline, t), self.renderer_key, frame.shape[1::-1])
        hit = self.cache.get(key) if self.cache is not None else None
        if not self.in_sequence:
            self._prime(t, frame)
        self.in_sequence = True
        if hit is not None and hit.shape == frame.shape:
            self.stats["cache_hits"] += 1
            self._slots.append(hit)
        else:
            self._slots.append(_PendingFrame(t, frame, edited, key))
            self._pending += 1
            if self._pending >= self.batch_size:
                self._render_pending()
        return self._ready()

    def flush(self) -> list[np.ndarray]:
        """Render what is queued; returns every remaining frame, in order."""
        self._render_pending()
        return self._ready()

    def _pass_through(self, frame: np.ndarray) -> list[np.ndarray]:
        self._break_sequence()
        self._slots.append(frame)
        return self._ready()

    def _break_sequence(self) -> None:
        if self.in_sequence:
            self._render_pending()  # the queued frames belong to the sequence that ends here
            self.renderer.reset()
            if self.stabilizer is not None:
                self.stabilizer.reset()
        self.in_sequence = False

    def _ready(self) -> list[np.ndarray]:
        done = 0
        while done < len(self._slots) and isinstance(self._slots[done], np.ndarray):
            done += 1
        out, self._slots = self._slots[:done], self._slots[done:]
        return out

    def _render_pending(self) -> None:
        if not self._pending:
            return
        where = [i for i, s in enumerate(self._slots) if isinstance(s, _PendingFrame)]
        requests = [self._request(self._slots[i]) for i in where]
        batch = getattr(self.renderer, "render_batch", None)
        results = batch(requests) if batch is not None else [self.renderer.render(r) for r in requests]
        for i, request, result in zip(where, requests, results, strict=True):
            out = self._composite(self._slots[i].frame, request.frame, result)
            if self.cache is not None:
                self.cache.put(self._slots[i].key, out)
            self._slots[i] = out
        self.stats["rendered"] += len(where)
        self._pending = 0

    def _request(self, p: _PendingFrame) -> FrameRequest:
        h, w = p.frame.shape[:2]
        e = p.edited
        mask = self.sources.target.person_mask(p.t, (w, h)) if e.body_edit is not None else None
        target = self.sources.target
        return FrameRequest(
            p.t, to_float(p.frame), e.face, e.face_edit, e.body, e.body_edit, mask, target, self.scale
        )

    def _prime(self, t: int, frame: np.ndarray) -> None:
        """Give a renderer that can start mid-clip (`prime`) the frames before t, edited or
        not, so a sequence starting at t (an edit's first frame, a preview jump, an export of a
        sub-range) renders what a render from the clip's start would at t."""
        k = getattr(self.renderer, "context_frames", 0)
        if not k or not hasattr(self.renderer, "prime"):
            return
        image, target = to_float(frame), self.sources.target  # primes read states, not pixels
        requests = []
        for u in range(max(target.start, t - k), t):
            e = resolve_frame(self.sources, self.timeline, u, self.scale)
            requests.append(FrameRequest(u, image, e.face, e.face_edit, clip=target, scale=self.scale))
        self.renderer.prime(requests)

    def _composite(self, frame: np.ndarray, original: np.ndarray, result) -> np.ndarray:
        h, w = frame.shape[:2]
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


def audio_window(
    fps: Fraction, audio_times: Sequence[float], start: int, sync: tuple[int, int] | None = None
) -> tuple[float, float | None]:
    """(audio start, audio from) for an export that begins at output frame `start`. audio start:
    the audio clip's time (s from its first frame) at output time 0, negative when the audio
    begins that many seconds into the output; audio from: the clip time before which nothing is
    copied (None: from the audio start on).

    The writer is CFR, so output frame t sounds at (t - start) / fps. `sync` = (output frame,
    audio-clip frame) that play together, and the audio is silent before them (a driving clip's
    speech begins with its layer); None pairs `start` with the audio clip's own frame `start`
    (the original sound, or a timebase clip's). `audio_times`: the clip's frame times (s).
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
        audio_start, audio_from = audio_window(tb.fps, tb.timestamps, start, cfg.audio_sync)
        audio_until = None
        if cfg.audio_stop is not None:
            audio_until = audio_start + (cfg.audio_stop - start) / float(tb.fps)
        with VideoWriter(
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
            metadata=export_metadata(project, project.timeline, name),
        ) as writer:
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
    return {
        "output": str(Path(cfg.output).resolve()),
        "frames": n,
        "renderer": name,
        **frames.stats,
        "seconds": round(seconds, 2),
        "fps": round(n / seconds, 2) if seconds > 0 else None,
    }
