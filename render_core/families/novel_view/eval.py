"""The held-out report: PSNR / SSIM of the model's views against the real ones, on the full
frame and on the foreground mask, beside the nearest-input-view and plane-homography
baselines; and the contact sheet (real | nearest view | homography | model) a person looks
at, since PSNR alone hides blur.

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


def heldout_report(fakes, reals, nearest, masks, homography=None) -> dict[str, float]:
    """Model scores, nearest-view (`nearest_`) and plane-homography (`homography_`) scores, and
    the model's gain over the nearest view in dB."""
    rep = {**_scores(fakes, reals, masks, ""), **_scores(nearest, reals, masks, "nearest_")}
    if homography is not None:
        rep.update(_scores(homography, reals, masks, "homography_"))
    rep["gain_db"] = rep["psnr"] - rep["nearest_psnr"]
    if masks is not None:
        rep["gain_db_mask"] = rep["psnr_mask"] - rep["nearest_psnr_mask"]
    rep["heldout_views"] = len(fakes)
    return rep


def contact_sheet(*columns) -> np.ndarray:
    """Rows of the columns side by side (real | nearest view | homography | model) for up to
    six views, (H', W', 3) [0, 1]."""
    n = min(SHEET_ROWS, len(columns[0]))
    idx = np.linspace(0, len(columns[0]) - 1, n).round().astype(int)
    return np.concatenate([np.concatenate([c[i] for c in columns], 1) for i in idx], 0)


def write_png(path: str | Path, image: np.ndarray) -> Path:
    """An (H, W, 3) [0, 1] image as PNG, atomically."""
    u8 = (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)[..., ::-1]
    with atomic_path(path) as tmp:
        ok, buf = cv2.imencode(".png", u8)
        tmp.write_bytes(buf.tobytes())
    return Path(path)
