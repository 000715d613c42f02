"""Differentiable, batched PSNR and SSIM for training losses and held-out metrics.

Same definitions as `render_core.metrics.image` (so a number logged during training equals the
one the numpy report computes): SSIM with an 11x11 Gaussian window (sigma 1.5), K1 = 0.01,
K2 = 0.03, per channel, averaged over channels and the valid region (no padding).

Convention: images are (B, C, H, W) float tensors in [0, data_range] (C = 3 for RGB; any C
works, each channel is treated alike). Results are per image, shape (B,), unless reduced.
"""

from __future__ import annotations

from functools import lru_cache

import torch
import torch.nn.functional as F

from render_core.errors import InputError
from render_core.metrics.image import SSIM_K1, SSIM_K2, SSIM_SIGMA, SSIM_WIN

_MATMUL_MAX_SIDE = 1024


@lru_cache(maxsize=16)
def _gauss_band(n: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """(n, n - 10) banded matrix M with (x @ M)[j] = sum_k g[k] x[j + k]: a 'valid' 1-D blur."""
    x = torch.arange(SSIM_WIN, dtype=torch.float64) - SSIM_WIN // 2
    g = torch.exp(-(x**2) / (2 * SSIM_SIGMA**2))
    g = g / g.sum()
    band = torch.zeros(n, n - SSIM_WIN + 1, dtype=torch.float64)
    cols = torch.arange(n - SSIM_WIN + 1)
    for k in range(SSIM_WIN):
        band[cols + k, cols] = g[k]
    return band.to(device=device, dtype=dtype)


def _check(a: torch.Tensor, b: torch.Tensor) -> None:
    if a.ndim != 4 or a.shape != b.shape:
        raise InputError(None, f"expected two (B, C, H, W) tensors of one shape, got {a.shape} and {b.shape}")


def _reduce(x: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return x.mean()
    if reduction == "none":
        return x
    raise InputError(None, f"reduction must be 'mean' or 'none', got {reduction!r}")


def _blur_valid(x: torch.Tensor) -> torch.Tensor:
    """Separable Gaussian per channel, 'valid' region: (N, C, H, W) -> (N, C, H - 10, W - 10).

    Why banded matmuls: on CPU torch they are several times faster than a depthwise conv2d at
    256-1024 px (docs/performance.md); beyond that their O(side) cost per pixel loses to the conv.
    """
    h, w = x.shape[-2:]
    if max(h, w) <= _MATMUL_MAX_SIDE:
        return _gauss_band(h, x.device, x.dtype).T @ x @ _gauss_band(w, x.device, x.dtype)
    c = x.shape[1]
    g = _gauss_band(SSIM_WIN, x.device, x.dtype)[:, 0]
    x = F.conv2d(x, g.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(x, g.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def ssim_torch(
    a: torch.Tensor, b: torch.Tensor, data_range: float = 1.0, reduction: str = "mean"
) -> torch.Tensor:
    """SSIM of each image pair, (B,) with reduction='none', else its mean. Differentiable.

    For a loss use `1 - ssim_torch(pred, target)`.
    """
    _check(a, b)
    if min(a.shape[-2:]) < SSIM_WIN:
        size = tuple(a.shape[-2:])
        raise InputError(None, f"SSIM needs images of at least {SSIM_WIN}x{SSIM_WIN}, got {size}")
    c1 = (SSIM_K1 * data_range) ** 2
    c2 = (SSIM_K2 * data_range) ** 2
    n = a.shape[0]
    # One grouped conv pass over all five statistics instead of five passes.
    stats = _blur_valid(torch.cat([a, b, a * a, b * b, a * b], dim=0))
    mu_a, mu_b, e_aa, e_bb, e_ab = stats.split(n, dim=0)
    mu_ab = mu_a * mu_b
    mu_aa, mu_bb = mu_a * mu_a, mu_b * mu_b
    num = (2 * mu_ab + c1) * (2 * (e_ab - mu_ab) + c2)
    den = (mu_aa + mu_bb + c1) * ((e_aa - mu_aa) + (e_bb - mu_bb) + c2)
    return _reduce((num / den).flatten(1).mean(1), reduction)


def psnr_torch(
    a: torch.Tensor,
    b: torch.Tensor,
    mask: torch.Tensor | None = None,
    data_range: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    """PSNR in dB per image pair, (B,) with reduction='none', else the mean over the batch.

    `mask` (B, 1, H, W) in [0, 1] restricts the MSE to selected pixels. Identical pairs give
    `inf` (like the numpy version); gradients are finite wherever the MSE is non-zero.
    """
    _check(a, b)
    sq = (a - b).square()
    if mask is None:
        err = sq.flatten(1).mean(1)
    else:
        if mask.ndim != 4 or mask.shape[0] != a.shape[0] or mask.shape[-2:] != a.shape[-2:]:
            got = tuple(mask.shape)
            raise InputError(None, f"mask must be (B, 1, H, W) matching {tuple(a.shape)}, got {got}")
        m = mask.to(sq.dtype).expand_as(sq)
        err = (sq * m).flatten(1).sum(1) / m.flatten(1).sum(1)
    return _reduce(10.0 * torch.log10(data_range**2 / err), reduction)
