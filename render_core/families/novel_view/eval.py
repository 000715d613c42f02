"""The held-out report: PSNR / SSIM of the model's views against the real ones, on the full
frame and on the foreground mask, beside the nearest-input-view baseline; and the contact
sheet (real | nearest view | model) a person looks at, since PSNR alone hides blur.

Convention: images (H, W, 3) float32 RGB [0, 1]; masks (H, W) [0, 1] or None.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from render_core.io_atomic import atomic_path
from render_core.metrics.image import psnr, ssim

SHEET_ROWS = 6


def _scores(fakes, reals, masks, prefix: str) -> dict[str, float]:
    out = {
        f"{prefix}psnr": float(np.mean([psnr(f, r) for f, r in zip(fakes, reals, strict=True)])),
        f"{prefix}ssim": float(np.mean([ssim(f, r) for f, r in zip(fakes, reals, strict=True)])),
    }
    if masks is not None:
        binary = [(m > 0.5).astype(np.float32) for m in masks]
        out[f"{prefix}psnr_mask"] = float(
            np.mean([psnr(f, r, m) for f, r, m in zip(fakes, reals, binary, strict=True)])
        )
        out[f"{prefix}ssim_mask"] = float(
            np.mean([ssim(f, r, mask=m) for f, r, m in zip(fakes, reals, binary, strict=True)])
        )
    return out


def heldout_report(fakes, reals, nearest, masks) -> dict[str, float]:
    """Model scores, nearest-view scores (`nearest_` keys) and the model's gain over them in dB."""
    rep = {**_scores(fakes, reals, masks, ""), **_scores(nearest, reals, masks, "nearest_")}
    rep["gain_db"] = rep["psnr"] - rep["nearest_psnr"]
    if masks is not None:
        rep["gain_db_mask"] = rep["psnr_mask"] - rep["nearest_psnr_mask"]
    rep["heldout_views"] = len(fakes)
    return rep


def contact_sheet(reals, nearest, fakes) -> np.ndarray:
    """Rows of real | nearest view | model for up to six views, (H', W', 3) [0, 1]."""
    n = min(SHEET_ROWS, len(reals))
    idx = np.linspace(0, len(reals) - 1, n).round().astype(int)
    return np.concatenate([np.concatenate([reals[i], nearest[i], fakes[i]], 1) for i in idx], 0)


def write_png(path: str | Path, image: np.ndarray) -> Path:
    """An (H, W, 3) [0, 1] image as PNG, atomically."""
    u8 = (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)[..., ::-1]
    with atomic_path(path) as tmp:
        ok, buf = cv2.imencode(".png", u8)
        tmp.write_bytes(buf.tobytes())
    return Path(path)
