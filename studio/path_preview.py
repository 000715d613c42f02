"""Preview frames of an image set's camera path, on the preview thread (Qt-free).

Frame t is drawn by the project's renderer through the core's `camera_path.path_frame`, the
step `main.py render` takes for every frame, so preview and export are one pipeline. Before
a novel-view model is chosen there is nothing to draw a new camera with: the preview shows
the captured photo nearest to the path's camera, so the path and the camera map can be
checked before training.

"original" is the path's own camera and "edited" the camera the viewpoint layers move it to,
so Show edit / Split view compare the two as they compare a clip with its edit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import cv2
import numpy as np

from studio.frame_source import downscale

KEEP_FRAMES = 32  # unedited frames kept: scrubbing back over edited frames redraws only the edit


def to_uint8(image: np.ndarray) -> np.ndarray:
    """float RGB [0, 1] (H, W, 3) -> uint8 RGB."""
    return (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


class PathPreview:
    """(snapshot, frame, scale, device) -> (original, edited | None), uint8 RGB at the path's
    frame size times `scale`. Keeps the renderer (a loaded model) across requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._renderer = None
        self._originals: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._image_set: Any = None  # the document `_originals` belong to

    def renderer(self, snapshot: Any, device: str):
        """The project's renderer when it draws viewpoints (a novel-view model), else None."""
        from render_core.render.registry import make_renderer, renderer_id, renderer_kinds

        project, name = snapshot.project, snapshot.renderer
        if "viewpoint" not in renderer_kinds(project, name):
            return None
        key = (name, renderer_id(project, name), device)
        if key != self._key:
            self._renderer, self._key = make_renderer(project, name, device), key
            self._originals.clear()
        return self._renderer

    def photo(self, image_set: Any, frame: int) -> np.ndarray:
        """The captured photo nearest to the path's camera at `frame`, at the path's size."""
        from render_core.edits.viewpoint_ops import nearest_view

        cam = image_set.cameras[frame]
        i = nearest_view(image_set.capture.world_to_camera, cam)
        bgr = cv2.imread(str(image_set.capture.images[i]), cv2.IMREAD_COLOR)
        if bgr is None:
            return np.zeros((cam.size[1], cam.size[0], 3), np.uint8)
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        shrink = cam.size[0] < rgb.shape[1]
        return cv2.resize(rgb, cam.size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)

    def _original(self, renderer, image_set: Any, frame: int) -> np.ndarray:
        from render_core.edits.timeline import EditTimeline
        from render_core.render.camera_path import path_frame

        if image_set is not self._image_set:  # another document: its frames are other frames
            self._originals.clear()
            self._image_set = image_set
        key = (self._key, frame)
        if key not in self._originals:
            image = path_frame(renderer, image_set.sources, EditTimeline(), frame, edits=False)
            self._originals[key] = to_uint8(image)
            while len(self._originals) > KEEP_FRAMES:
                self._originals.popitem(last=False)
        self._originals.move_to_end(key)
        return self._originals[key]

    def __call__(
        self, snapshot: Any, frame: int, scale: float, device: str = "auto"
    ) -> tuple[np.ndarray, np.ndarray | None]:
        from render_core.render.camera_path import path_frame

        image_set = snapshot.image_set
        with self._lock:
            renderer = self.renderer(snapshot, device)
            if renderer is None:
                return downscale(self.photo(image_set, frame), scale), None
            original = downscale(self._original(renderer, image_set, frame), scale)
            if not snapshot.timeline.is_edited(frame):
                return original, None
            edited = to_uint8(path_frame(renderer, image_set.sources, snapshot.timeline, frame))
            return original, downscale(edited, scale)
