"""The one place the studio calls the core's render pipeline for previews:
`render_preview(snapshot, frame, scale) -> (original, edited | None)`, on the preview thread.
Qt-free.

It decodes the frame (kept decoder, see `FrameSource`), downscales it to preview size, and
where an edit acts on the frame asks the export pipeline's `FrameRenderer` for the edited
frame at that scale, so preview and export are one pipeline. The renderer (a loaded model for
neural families) is built once and reused across requests; the driving clips' tracks are
tracked by the studio as a job with progress and handed over (`add_driving`). After a frame
renders, `notes_at` hands what the renderer said about it (`RenderNotes`) to the GUI thread.
An image set's snapshot has no clip to decode: its camera path's frames come from
`path_preview.PathPreview`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from studio.frame_source import FrameSource
from studio.path_preview import PathPreview

if TYPE_CHECKING:
    from render_core.contract import NoteSpec


def frame_at_position(start: int, position: int, loop: tuple[int, int] | None) -> int:
    """The frame playback shows at `position` (0 = `start`): straight on, or with `loop`
    (first, last) from start to last and then first..last over and over."""
    if loop is None:
        return start + position
    first, last = loop
    lead_in = max(0, last - start + 1)  # from start up to the loop's last frame
    if position < lead_in:
        return start + position
    return first + (position - lead_in) % (last - first + 1)


@dataclass(frozen=True)
class RenderNotes:
    """What the renderer said about one rendered frame, for the studio's frame marks.

    source: the snapshot the frame was rendered from (the GUI drops notes of an older one);
    renderer_key: the renderer and model (`registry.renderer_id`); specs: the notes it declares;
    values: this frame's notes (name -> value); warnings: its `report()` warnings so far."""

    source: Any
    renderer_key: str
    specs: tuple[NoteSpec, ...]
    values: Mapping[str, float]
    warnings: tuple[str, ...] = ()


class PreviewPipeline:
    """Keeps one `FrameRenderer` per (tracks, renderer, scale); swaps in each new timeline."""

    def __init__(self, frames: FrameSource, device: str = "auto") -> None:
        self.frames = frames
        self.device = device
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._renderer = None
        self._driving: dict[str, object] = {}
        self.paths = PathPreview()

    def _frame_renderer(self, snapshot, scale: float):
        from render_core.render.frame_notes import FrameNotes
        from render_core.render.frame_renderer import FrameRenderer
        from render_core.render.registry import make_renderer, renderer_id
        from render_core.render.sources import ClipTracks, EditSources

        project, tracks = snapshot.project, snapshot.tracks
        key = (id(tracks), snapshot.renderer, renderer_id(project, snapshot.renderer), scale, self.device)
        if key != self._key:
            meta = tracks.meta
            target = ClipTracks(
                tracks, (int(meta["width"]), int(meta["height"])), int(meta.get("frame_start", 0))
            )
            renderer = make_renderer(project, snapshot.renderer, self.device)
            fps = float(snapshot.info.fps)
            self._renderer = FrameRenderer(
                EditSources(target), snapshot.timeline, renderer, fps, key[2], None, scale, stabilize=False
            )
            self._key = key
        fr = self._renderer
        if fr.timeline.layers is not snapshot.timeline.layers:
            fr.abandon()  # frames in a temporal renderer's window were made with the old edits
            fr.notes = FrameNotes(fr.renderer.notes)  # notes belong to the edits that made them
        fr.timeline = snapshot.timeline
        fr.sources.driving = self._driving  # shared: tracks that arrive are used at once
        return fr

    def notes_at(self, snapshot, frame: int) -> RenderNotes | None:
        """The notes of `frame` as rendered last from `snapshot`, with the renderer's report
        warnings so far; None where the renderer in hand was made for another snapshot (an
        edit, another renderer or new tracks since) or nothing rendered yet."""
        with self._lock:
            fr, key = self._renderer, self._key
            if getattr(snapshot, "image_set", None) is not None:
                return None  # a path's frames carry no notes
            if fr is None or fr.timeline.layers is not snapshot.timeline.layers:
                return None
            if key[:2] != (id(snapshot.tracks), snapshot.renderer):
                return None
            report = getattr(fr.renderer, "report", None)
            warnings = tuple(report().get("warnings", [])) if report is not None else ()
            return RenderNotes(snapshot, key[2], tuple(fr.renderer.notes), fr.notes.at(frame), warnings)

    def missing_driving(self, snapshot) -> dict[str, Path]:
        """{clip id: path} of the driving clips enabled layers use whose tracks are not here
        yet. The preview never tracks them itself (that froze it for as long as tracking took):
        the studio tracks them as a job with progress and hands them over (`add_driving`)."""
        project, out = snapshot.project, {}
        for layer in snapshot.timeline.layers:
            cid = layer.settings.get("driving_clip")
            if layer.enabled and cid and cid not in self._driving:
                out[str(cid)] = project.clip_path(cid)
        return out

    def add_driving(self, clip_id: str, tracks) -> None:
        with self._lock:
            self._driving[clip_id] = tracks

    def forget_driving(self) -> None:
        with self._lock:
            self._driving.clear()

    def _waits_for_driving(self, snapshot, frame: int) -> bool:
        """Whether a layer acting on `frame` needs driving tracks that are still on their way
        (the frame is then shown unedited until they arrive)."""
        return any(
            layer.settings.get("driving_clip") not in self._driving
            for layer in snapshot.timeline.active_layers(frame)
            if layer.settings.get("driving_clip")
        )

    def __call__(self, snapshot, frame: int, scale: float) -> tuple[np.ndarray, np.ndarray | None]:
        if getattr(snapshot, "image_set", None) is not None:
            return self.paths(snapshot, frame, scale, self.device)
        with self._lock:
            original = self._read(snapshot, frame, scale)
            if snapshot.tracks is None or not snapshot.timeline.is_edited(frame):
                return original, None
            if self._waits_for_driving(snapshot, frame):
                return original, None
            edited = self._frame_renderer(snapshot, scale).render(frame, original)
            return original, (None if edited is original else edited)

    def stream(
        self,
        snapshot,
        start: int,
        scale: float,
        catch_up: Callable[[int], int] = lambda p: p,
        loop: tuple[int, int] | None = None,
    ) -> Iterator[tuple[int, int, np.ndarray, np.ndarray | None]]:
        """Playback's frames as (position, frame, original, edited | None). Positions count
        0, 1, 2, ... in playing order: frames start, start + 1, ... to the clip's end, or with
        `loop` (first, last) from start to last and then first..last over and over.

        Frames go through the renderer in its batches (8 for a portrait model), so a model
        renders as fast as in export; a loop's wrap starts a new sequence there. Where no frame
        is queued (a batch boundary) `catch_up(position)` may name a later position to go on
        from: playback that fell behind the clock drops frames instead of lagging. Closing the
        generator drops what is queued."""
        n = snapshot.info.frame_count
        end = n - start if loop is None else None  # positions to play; a loop never ends
        queued: deque[tuple[int, int, np.ndarray]] = deque()  # pushed, not out of the renderer yet
        fr = None
        p = 0
        try:
            while end is None or p < end or queued:
                with self._lock:
                    if end is None or p < end:
                        p = _next_position(p, end, bool(queued), catch_up)
                        t = frame_at_position(start, p, loop)
                        original = self._read(snapshot, t, scale)
                        queued.append((p, t, original))
                        fr, out = self._push(snapshot, fr, t, original, scale)
                        p += 1
                    else:
                        out = fr.flush()
                for image in out:
                    q, t, original = queued.popleft()
                    yield q, t, original, (None if image is original else image)
        finally:
            if queued and fr is not None:
                with self._lock:
                    fr.abandon()

    def _push(self, snapshot, fr, t: int, original: np.ndarray, scale: float):
        """(frame renderer, frames out of it now) after queueing frame t: the renderer is made
        at the first edited frame (the model loads once, there); frames pass through unedited
        before it, and while a driving clip's tracks are still loading."""
        if fr is None and snapshot.tracks is not None and snapshot.timeline.is_edited(t):
            fr = self._frame_renderer(snapshot, scale)
            fr.abandon()  # a new sequence: the renderer primes itself at t
        if fr is None:
            return fr, [original]
        if self._waits_for_driving(snapshot, t):
            return fr, fr.flush() + [original]  # unedited until the tracks arrive, in order
        return fr, fr.push(t, original)

    def _read(self, snapshot, frame: int, scale: float) -> np.ndarray:
        return self.frames.read(snapshot.clip_path, frame, snapshot.info, scale)


def _next_position(p: int, end: int | None, queued: bool, catch_up: Callable[[int], int]) -> int:
    """The position to read next: where nothing is queued (a batch boundary) playback that fell
    behind the clock may skip ahead (`catch_up`), never past the last position."""
    if not queued:
        p = max(p, catch_up(p))
    return p if end is None else min(end - 1, p)


def make_render_preview(frames: FrameSource, device: str = "auto") -> PreviewPipeline:
    return PreviewPipeline(frames, device)
