"""Decoded frames for the preview thread: one open `VideoReader` per clip, reused across
requests (sequential playback then decodes forward instead of seeking). Qt-free.

Only the preview pool's single thread calls `read`; the lock makes a stray second caller
wait instead of corrupting the decoder state.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np

from render_core.media.decode import VideoReader


class FrameSource:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reader: VideoReader | None = None

    def read(self, clip_path: str, index: int, info=None, scale: float = 1.0) -> np.ndarray:
        """Frame `index` as uint8 RGB (H, W, 3), area-scaled by `scale` <= 1 (the sizes of
        `downscale`). Scaling inside the decoder's colour conversion costs less than converting
        the full frame before any resize (docs/performance.md)."""
        with self._lock:
            if self._reader is None or self._reader.path != str(clip_path):
                self._close()
                self._reader = VideoReader(clip_path, info)
            info = self._reader.info
            return self._reader.read(index, scaled_size(info.width, info.height, scale))

    def length(self, clip_path: str) -> int:
        """Number of frames the clip can deliver (opens it if needed)."""
        with self._lock:
            if self._reader is None or self._reader.path != str(clip_path):
                self._close()
                self._reader = VideoReader(clip_path)
            return len(self._reader)

    def _close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def close(self) -> None:
        with self._lock:
            self._close()


def scaled_size(width: int, height: int, scale: float) -> tuple[int, int] | None:
    """(w, h) of a frame scaled by `scale` <= 1 (at least 2 px), or None for full size."""
    if scale >= 0.999:
        return None
    return max(2, round(width * scale)), max(2, round(height * scale))


def downscale(image: np.ndarray, scale: float) -> np.ndarray:
    """Area-resample an (H, W, C) image by `scale` <= 1 (preview resolution)."""
    size = scaled_size(image.shape[1], image.shape[0], scale)
    return image if size is None else cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def preview_scale(width: int, height: int, max_height: int) -> float:
    """Scale that brings the frame to at most `max_height` rows (e.g. 480p), never up."""
    return min(1.0, max_height / max(1, height)) if max_height > 0 else 1.0
