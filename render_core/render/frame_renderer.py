"""Rendering a sequence of frames with the edits: resolve each frame's edits, ask the renderer
(in batches where it takes them), composite its output into the original frame. Shared by
export (`pipeline.render_clip`) and the studio's preview.

Convention: frames in and out uint8 RGB (H, W, 3); renderer requests float32 RGB [0, 1].
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from render_core.contract import FrameRequest, Renderer
from render_core.edits.timeline import EditTimeline, edit_hash
from render_core.media.frames import to_float, to_uint8
from render_core.render.cache import RenderCache, cache_key
from render_core.render.composite import color_match, composite
from render_core.render.frame_edits import EditedFrame, resolve_frame
from render_core.render.frame_notes import FrameNotes
from render_core.render.sources import EditSources
from render_core.render.stabilize import EditStabilizer

FEATHER_FRACTION = 0.004  # compositing feather, as a fraction of the frame diagonal

_composite_pool: ThreadPoolExecutor | None = None


def composite_pool() -> ThreadPoolExecutor:
    """The threads a batch's frames are composited on (one per core, shared by every
    FrameRenderer: the studio makes many). OpenCV and numpy release the GIL, and while a batch
    composites the renderer's own threads are idle."""
    global _composite_pool
    if _composite_pool is None:
        _composite_pool = ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="composite")
    return _composite_pool


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
        if sources.output_fps is None:  # driving clips are read by time at the output's rate
            sources = replace(sources, output_fps=fps)
        self.sources, self.timeline, self.renderer = sources, timeline, renderer
        self.renderer_key, self.scale = renderer_key, scale
        # a temporal renderer's output depends on the frames before: only cache stateless ones
        self.cache = cache if not renderer.temporal else None
        self.stabilizer = EditStabilizer(fps) if stabilize and not renderer.temporal else None
        self.batch_size = max(1, batch_size or getattr(renderer, "batch_size", 1))
        self.in_sequence = False
        self.stats = {"edited": 0, "rendered": 0, "cache_hits": 0}
        self.notes = FrameNotes(renderer.notes)
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

    def abandon(self) -> None:
        """Drop what is queued unrendered and start over: the next frame begins a new sequence
        (a stopped playback, or an edit that makes the frames in the window stale)."""
        self._slots.clear()
        self._pending = 0
        if self.in_sequence:
            self.renderer.reset()
            if self.stabilizer is not None:
                self.stabilizer.reset()
        self.in_sequence = False
        self._next = None

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
        args = [
            (self._slots[i].frame, r.frame, res) for i, r, res in zip(where, requests, results, strict=True)
        ]
        if len(args) > 1:
            outs = list(composite_pool().map(lambda a: self._composite(*a), args))
        else:
            outs = [self._composite(*a) for a in args]
        for i, request, result, out in zip(where, requests, results, outs, strict=True):
            self.notes.add(request.index, result.notes)
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
        if self.renderer.synthesizes:  # network output: match colours to the real frame
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
