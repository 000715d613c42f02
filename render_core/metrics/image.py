"""Full-reference image metrics (PSNR, SSIM) in numpy; torch twins live in `image_torch`.

No learned metric (LPIPS needs VGG weights we cannot download): PSNR and SSIM are the
per-frame quality figures in training reports and benchmarks.

Convention: images are float32 RGB in [0, 1], shape (H, W, 3). uint8 RGB (a decoded frame) is
accepted and scaled by 1/255, so `data_range` stays 1.0 for both.

SSIM follows Wang et al. 2004: 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03, computed
per RGB channel and averaged over channels (as scikit-image with `channel_axis` and
pytorch-msssim do), over the "valid" region only (5 px border dropped, no padding artefacts).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from render_core.errors import InputError

SSIM_WIN = 11
SSIM_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03


def as_float01(img: np.ndarray, name: str = "image") -> np.ndarray:
    """(H, W, 3) uint8 or float RGB -> float32 in [0, 1] (uint8 is divided by 255)."""
    img = np.asarray(img)
    if img.ndim != 3 or img.shape[2] != 3:
        raise InputError(None, f"{name} must be (H, W, 3) RGB, got shape {img.shape}")
    if img.dtype == np.uint8:
        return img.astype(np.float32) / np.float32(255.0)
    return img.astype(np.float32, copy=False)


def _pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = as_float01(a, "a"), as_float01(b, "b")
    if a.shape != b.shape:
        raise InputError(None, f"images differ in shape: {a.shape} vs {b.shape}")
    return a, b


def mse(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Mean squared error over pixels and channels; `mask` (H, W) weights pixels (bool or [0, 1])."""
    a, b = _pair(a, b)
    sq = np.square(a - b)
    if mask is None:
        return float(sq.mean(dtype=np.float64))
    m = np.asarray(mask, dtype=np.float32)
    if m.shape != a.shape[:2]:
        raise InputError(None, f"mask must be (H, W) = {a.shape[:2]}, got {m.shape}")
    weight = float(m.sum(dtype=np.float64)) * 3.0
    if weight <= 0:
        raise InputError(None, "mask selects no pixels")
    return float((sq * m[..., None]).sum(dtype=np.float64) / weight)


def psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB: 10 log10(data_range^2 / MSE).

    Identical images give `inf` (no cap here; `report` caps per-frame values for JSON).
    With `mask` (H, W), only the selected pixels count (e.g. the face crop).
    """
    err = mse(a, b, mask)
    if err == 0.0:
        return float("inf")
    return float(10.0 * np.log10(data_range**2 / err))


def _blur(x: np.ndarray) -> np.ndarray:
    """11x11 Gaussian (sigma 1.5) on every channel; borders are cropped by the caller."""
    return cv2.GaussianBlur(x, (SSIM_WIN, SSIM_WIN), SSIM_SIGMA, borderType=cv2.BORDER_REFLECT)


def ssim_map(a: np.ndarray, b: np.ndarray, data_range: float = 1.0) -> np.ndarray:
    """Per-pixel, per-channel SSIM over the valid region: (H - 10, W - 10, 3) float32.

    Why a map: masked or region SSIM (face crop) is a mean over part of it. The arithmetic is
    done in place (about 2x faster than the textbook expression at 256^2).
    """
    a, b = _pair(a, b)
    if min(a.shape[:2]) < SSIM_WIN:
        raise InputError(None, f"SSIM needs images of at least {SSIM_WIN}x{SSIM_WIN}, got {a.shape[:2]}")
    c1 = np.float32((SSIM_K1 * data_range) ** 2)
    c2 = np.float32((SSIM_K2 * data_range) ** 2)
    mu_a, mu_b = _blur(a), _blur(b)
    var_a, var_b, cov = _blur(a * a), _blur(b * b), _blur(a * b)
    mu_ab = mu_a * mu_b
    mu_a *= mu_a  # now mu_a^2
    mu_b *= mu_b  # now mu_b^2
    var_a -= mu_a  # sigma_a^2 = E[a^2] - mu_a^2
    var_b -= mu_b
    cov -= mu_ab  # sigma_ab = E[ab] - mu_a mu_b
    num = (2.0 * mu_ab + c1) * (2.0 * cov + c2)
    den = (mu_a + mu_b + c1) * (var_a + var_b + c2)
    num /= den
    p = SSIM_WIN // 2
    return num[p:-p, p:-p]


def ssim(a: np.ndarray, b: np.ndarray, data_range: float = 1.0, mask: np.ndarray | None = None) -> float:
    """Mean SSIM (Wang et al. 2004), averaged over the valid region and the 3 RGB channels;
    with `mask` (H, W) bool, over the windows centred on selected pixels only.

    1.0 for identical images; symmetric in (a, b).
    """
    m = ssim_map(a, b, data_range)
    if mask is None:
        return float(m.mean(dtype=np.float64))
    p = SSIM_WIN // 2
    sel = np.asarray(mask, bool)
    if sel.shape != np.shape(a)[:2]:
        raise InputError(None, f"mask must be (H, W) = {np.shape(a)[:2]}, got {sel.shape}")
    sel = sel[p:-p, p:-p]
    if not sel.any():
        raise InputError(None, "mask selects no SSIM window")
    return float(m[sel].mean(dtype=np.float64))


def __getattr__(name: str) -> Any:
    """`psnr_torch` / `ssim_torch` from here too, importing torch only when asked for."""
    if name in ("psnr_torch", "ssim_torch"):
        from render_core.metrics import image_torch

        return getattr(image_torch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
