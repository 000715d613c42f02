"""On-demand access to a clip's decoded frames for the warp renderer's donor regions.

Why: a mouth or eyelid taken from another frame of the clip needs that frame's pixels while the
pipeline streams a different one. Frames are decoded by seeking a reader of their own (the
export's reader keeps streaming undisturbed) and the last few are kept, so memory stays bounded
whatever the clip's length; a donor is usually reused for many consecutive frames.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np


class ClipFrames:
    """Frames of one clip by index, float32 RGB [0, 1], at a requested size (w, h)."""

    def __init__(self, path: str | Path, capacity: int = 4) -> None:
        self.path = Path(path)
        self.capacity = max(1, capacity)
        self._reader = None
        self._cache: OrderedDict[tuple[int, tuple[int, int] | None], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.decoded = 0  # frames decoded so far (cache misses)

    def get(self, index: int, size: tuple[int, int] | None = None) -> np.ndarray | None:
        """Frame `index` scaled to `size` = (w, h) (None: as stored), or None if it cannot be read."""
        key = (int(index), None if size is None else (int(size[0]), int(size[1])))
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            image = self._decode(*key)
            if image is None:
                return None
            self._cache[key] = image
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
            return image

    def _decode(self, index: int, size: tuple[int, int] | None) -> np.ndarray | None:
        from render_core.errors import InputError
        from render_core.media.decode import VideoReader
        from render_core.media.frames import to_float

        try:
            if self._reader is None:
                self._reader = VideoReader(self.path)
            if not 0 <= index < len(self._reader):
                return None
            self.decoded += 1
            return to_float(self._reader.read(index, size))
        except (InputError, OSError):
            return None

    def close(self) -> None:
        with self._lock:
            if self._reader is not None:
                self._reader.close()
            self._reader = None
            self._cache.clear()
