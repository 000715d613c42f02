"""Decoded av frame -> uint8 RGB array, with optional downscale and display rotation.

Colour conversion and scaling happen in one swscale pass (PyAV reformat), which handles every
pixel format and odd sizes. Measured on the 720p clip: swscale rgb24 ~570 fps vs
yuv420p + cv2.cvtColor ~615 fps; the small gain is not worth a second path whose chroma
upsampling differs (mean 1 level, up to 19 at sharp colour edges).
Convention: output (H, W, 3) uint8 RGB after rotating `rotation` degrees clockwise;
`size=(w, h)` is the output size after rotation.
"""

from __future__ import annotations

import av
import numpy as np

from render_core.media.colour import RgbDecoder


def frame_to_rgb(
    frame: av.VideoFrame,
    rotation: int = 0,
    size: tuple[int, int] | None = None,
    decoder: RgbDecoder | None = None,
) -> np.ndarray:
    """Convert (and optionally resize) then rotate clockwise by `rotation` (a multiple of 90).
    `decoder` carries the clip's colour matrix and range (`colour`); None: PyAV's default."""
    quarter = (rotation // 90) % 4
    wh = None
    if size is not None:
        w, h = size if quarter % 2 == 0 else (size[1], size[0])
        wh = (w, h) if (w, h) != (frame.width, frame.height) else None
    if decoder is not None:
        rgb = decoder(frame, wh)
    else:
        if wh is not None:
            frame = frame.reformat(width=wh[0], height=wh[1], format="rgb24", interpolation="AREA")
        rgb = frame.to_ndarray(format="rgb24")
    if quarter:
        rgb = np.ascontiguousarray(np.rot90(rgb, k=-quarter))
    return rgb
