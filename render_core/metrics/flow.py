"""Weight-free optical flow (OpenCV DIS), backward warping and forward-backward occlusion masks.

Shared by the temporal metrics (E_warp, tOF) and usable by temporal models and stabilizers.

Convention: a flow is (H, W, 2) float32 in pixels, channel 0 = dx (right), channel 1 = dy
(down). `flow = dis(src, dst)` maps each pixel x of `src` to where it is in `dst`:
src(x) ~ dst(x + flow(x)). `warp(dst, flow)` samples dst at x + flow(x), so it brings `dst`
into `src`'s pixel grid (a backward warp). Images are float32 RGB [0, 1] (H, W, 3) or uint8 RGB;
grayscale uint8 only inside the OpenCV call.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from render_core.errors import InputError

DIS_PRESETS = {
    "ultrafast": cv2.DISOPTICAL_FLOW_PRESET_ULTRAFAST,
    "fast": cv2.DISOPTICAL_FLOW_PRESET_FAST,
    "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM,
}


def to_gray_u8(img: np.ndarray) -> np.ndarray:
    """RGB (H, W, 3) float [0, 1] or uint8 -> luminance (H, W) uint8 (BT.601 weights), as DIS wants."""
    img = np.asarray(img)
    if img.ndim == 2 and img.dtype == np.uint8:
        return img
    if img.ndim != 3 or img.shape[2] != 3:
        raise InputError(None, f"expected an (H, W, 3) RGB frame, got shape {img.shape}")
    if img.dtype != np.uint8:
        img = (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


class DISFlow:
    """Dense Inverse Search optical flow (Kroeger et al. 2016) with an OpenCV preset.

    FAST for interactive use, MEDIUM (several times slower, half the error) for metrics and
    export (measurements: docs/performance.md). One instance per thread.
    """

    def __init__(self, preset: str = "medium") -> None:
        if preset not in DIS_PRESETS:
            raise InputError(None, f"unknown DIS preset {preset!r}; choose one of {sorted(DIS_PRESETS)}")
        self.preset = preset
        self._dis = cv2.DISOpticalFlow_create(DIS_PRESETS[preset])

    def __call__(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        """Flow (H, W, 2) from `src` to `dst`: src(x) ~ dst(x + flow(x)). Frames RGB or gray uint8."""
        g0, g1 = to_gray_u8(src), to_gray_u8(dst)
        if g0.shape != g1.shape:
            raise InputError(None, f"frames differ in size: {g0.shape} vs {g1.shape}")
        return self._dis.calc(g0, g1, None)


@lru_cache(maxsize=8)
def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return xs, ys


def _check_flow(flow: np.ndarray, hw: tuple[int, int]) -> None:
    if flow.ndim != 3 or flow.shape[2] != 2 or flow.shape[:2] != hw:
        raise InputError(None, f"flow must be (H, W, 2) = {(*hw, 2)}, got {flow.shape}")


def warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Backward warp: out(x) = image(x + flow(x)), bilinear, edge pixels replicated outside.

    `image` (H, W, C) any C <= 4 (a frame or a flow field), `flow` (H, W, 2). Use
    `inside_mask(flow)` to know which outputs came from outside the image.
    """
    _check_flow(flow, image.shape[:2])
    xs, ys = _grid(*image.shape[:2])
    map_x = xs + flow[..., 0]
    map_y = ys + flow[..., 1]
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def inside_mask(flow: np.ndarray) -> np.ndarray:
    """(H, W) bool: x + flow(x) lands inside the image (at most the last pixel centre)."""
    h, w = flow.shape[:2]
    xs, ys = _grid(h, w)
    tx = xs + flow[..., 0]
    ty = ys + flow[..., 1]
    return (tx >= 0) & (tx <= w - 1) & (ty >= 0) & (ty <= h - 1)


def _sq_norm(f: np.ndarray) -> np.ndarray:
    return f[..., 0] * f[..., 0] + f[..., 1] * f[..., 1]


def motion_boundaries(flow: np.ndarray) -> np.ndarray:
    """(H, W) bool: |grad flow|^2 > 0.01 |flow|^2 + 0.002 (Ruder et al. 2016, as in Lai et al.'s code).

    Forward differences, zero in the last row/column, as in the reference implementation.
    """
    grad = np.zeros(flow.shape[:2], np.float32)
    dx = flow[:, :-1] - flow[:, 1:]
    dy = flow[:-1, :] - flow[1:, :]
    grad[:, :-1] += _sq_norm(dx)
    grad[:-1, :] += _sq_norm(dy)
    return grad > 0.01 * _sq_norm(flow) + 0.002


def consistency_mask(
    flow: np.ndarray, back_flow: np.ndarray, use_motion_boundaries: bool = False
) -> np.ndarray:
    """(H, W) bool, True where `flow` is trusted (not occluded), in `flow`'s pixel grid.

    `flow` goes from frame A to frame B, `back_flow` from B to A. With b~(x) = back_flow(x + flow(x)),
    a pixel is occluded when |flow + b~|^2 > 0.01 (|flow|^2 + |b~|^2) + 0.5 (Sundaram et al. 2010,
    thresholds of Ruder et al. / Lai et al.), or when x + flow(x) leaves the image; optionally
    also at motion boundaries of `flow`.
    """
    _check_flow(back_flow, flow.shape[:2])
    b = warp(back_flow, flow)
    occluded = _sq_norm(flow + b) > 0.01 * (_sq_norm(flow) + _sq_norm(b)) + 0.5
    if use_motion_boundaries:
        occluded |= motion_boundaries(flow)
    return ~occluded & inside_mask(flow)
