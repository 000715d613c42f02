"""The lifecycle shared by the MediaPipe wrappers: build lazily, context manager, reset,
close, and silence the native start-up chatter on the first frames (see `native_log`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from render_core.tracking.native_log import quiet_native_stderr

WARM_FRAMES = 2  # native warnings come while building the graph and on its first frames


class MediaPipeSolution:
    """Subclasses implement `_build() -> the mp.solutions object` and may extend `reset()`.

    Frames must be fed in order; `reset()` before jumping elsewhere in a clip."""

    def __init__(self) -> None:
        self._solution: Any = None
        self._warm_frames = 0

    def __enter__(self):
        self.reset()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _build(self) -> Any:
        raise TypeError(f"{type(self).__name__} must define _build()")

    def reset(self) -> None:
        self.close()
        self._warm_frames = WARM_FRAMES
        with quiet_native_stderr():
            self._solution = self._build()

    def close(self) -> None:
        if self._solution is not None:
            self._solution.close()
            self._solution = None

    def _run(self, image: np.ndarray) -> Any:
        """MediaPipe's `process` on a uint8 RGB image (read-only view), built on first use."""
        if self._solution is None:
            self.reset()
        image.flags.writeable = False
        if self._warm_frames > 0:
            self._warm_frames -= 1
            with quiet_native_stderr():
                return self._solution.process(image)
        return self._solution.process(image)
