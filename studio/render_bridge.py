"""The one place the studio calls the core's render pipeline for previews:
`render_preview(snapshot, frame, scale) -> (original, edited | None)`, on the preview thread.
Qt-free.

It decodes the frame (kept decoder, see `FrameSource`), downscales it to preview size, and
where an edit acts on the frame asks the export pipeline's `FrameRenderer` for the edited
frame at that scale, so preview and export are one pipeline. The renderer (a loaded model for
neural families) and the driving clips' tracks are built once and reused across requests.
"""

from __future__ import annotations

import threading

import numpy as np

from render_core.jobs import null_context
from studio.frame_source import FrameSource, downscale


class PreviewPipeline:
    """Keeps one `FrameRenderer` per (tracks, renderer, scale); swaps in each new timeline."""

    def __init__(self, frames: FrameSource, device: str = "auto") -> None:
        self.frames = frames
        self.device = device
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._renderer = None
        self._driving: dict[str, object] = {}

    def _frame_renderer(self, snapshot, scale: float):
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
        fr.timeline = snapshot.timeline
        fr.sources.driving = self._driving_sources(snapshot)
        return fr

    def _driving_sources(self, snapshot) -> dict:
        """Tracks of the driving clips the timeline references (tracked/cached once)."""
        from render_core.render.sources import track_for_render

        project = snapshot.project
        for layer in snapshot.timeline.layers:
            cid = layer.settings.get("driving_clip")
            if layer.enabled and cid and cid not in self._driving:
                self._driving[cid] = track_for_render(project.clip_path(cid), project.folder, null_context())
        return self._driving

    def __call__(self, snapshot, frame: int, scale: float) -> tuple[np.ndarray, np.ndarray | None]:
        with self._lock:
            original = downscale(self.frames.read(snapshot.clip_path, frame, snapshot.info), scale)
            if snapshot.tracks is None or not snapshot.timeline.is_edited(frame):
                return original, None
            edited = self._frame_renderer(snapshot, scale).render(frame, original)
            return original, (None if edited is original else edited)


def make_render_preview(frames: FrameSource, device: str = "auto") -> PreviewPipeline:
    return PreviewPipeline(frames, device)
