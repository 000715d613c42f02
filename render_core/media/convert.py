"""Decoded av frame -> uint8 RGB array, with optional downscale and display rotation.

Colour conversion and scaling happen in one swscale pass (PyAV reformat), which handles every
pixel format and odd sizes. yuv420p + cv2.cvtColor is slightly faster, not enough to be worth a
second path whose chroma upsampling differs; the exact conversion users see is slower than
swscale's fast path (`media.colour`; measurements: docs/performance.md).
Convention: output (H, W, 3) uint8 RGB after rotating `rotation` degrees clockwise;
`size=(w, h)` is the output size after rotation.
"""

from __future__ import annotations

import av
import numpy as np

from render_core.media.colour import RgbDecoder


def frame_to_rgb(
    frame: av.VideoFrame, decoder: RgbDecoder, rotation: int = 0, size: tuple[int, int] | None = None
) -> np.ndarray:
    """Convert (and optionally resize) with the clip's `decoder` (its colour matrix and range,
    `media.colour`), then rotate clockwise by `rotation` (a multiple of 90)."""
    quarter = (rotation // 90) % 4
    wh = None
    if size is not None:
        w, h = size if quarter % 2 == 0 else (size[1], size[0])
        wh = (w, h) if (w, h) != (frame.width, frame.height) else None
    rgb = decoder(frame, wh)
    if quarter:
        rgb = np.ascontiguousarray(np.rot90(rgb, k=-quarter))
    return rgb
