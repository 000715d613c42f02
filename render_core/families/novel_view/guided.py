"""Real views moved into the novel one: the nearest captured views reprojected through the depth
the occlusion net resolves along each ray, and blended with the grid's own image by per-pixel
weights the blend net predicts (DESIGN.md section 4: move the real pixels, let the network add
what moving cannot give). Where a captured view sees the surface, the output keeps its detail;
where none does (disocclusions, outside every view), the grid's image fills in.

Convention: images (B, 3, H, W) float32 RGB [0, 1]; OpenCV cameras, world_to_camera (4, 4),
K (3, 3) in pixels of the image it describes; depth maps (1, 1, H, W) z-depth in world units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from render_core.geometry.cameras import invert_rigid


@dataclass
class Guides:
    """Captured views to reproject: images (G, 3, h, w), their cameras (K in px of them) and
    priors (G,) in [0, 1] (`data.guide_choice`: how far each is from leaving the nearest few)."""

    images: torch.Tensor
    world_to_camera: np.ndarray
    intrinsics: np.ndarray
    prior: np.ndarray | None = None  # None: all 1


def depth_map(depth_norm: torch.Tensor, near_far: tuple[float, float], size: tuple[int, int]) -> torch.Tensor:
    """The occlusion net's expected depth (1, 1, h, w) in [0, 1] of [near, far] as world z-depth,
    resized to `size` (w, h)."""
    near, far = near_far
    z = near + depth_norm * (far - near)
    if z.shape[-1] != size[0] or z.shape[-2] != size[1]:
        z = F.interpolate(z, size=(size[1], size[0]), mode="bilinear", align_corners=False)
    return z


def reproject(
    guides: Guides, w2c: np.ndarray, k: np.ndarray, z: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The guide images seen from camera (w2c, K in px of z's image) with every pixel at depth
    `z` (1, 1, H, W): warped images (G, 3, H, W) and where each one saw the point (G, 1, H, W)."""
    h, w = z.shape[-2:]
    v, u = torch.meshgrid(torch.arange(h, dtype=z.dtype), torch.arange(w, dtype=z.dtype), indexing="ij")
    zf = z.reshape(1, h * w)
    pts = torch.cat(
        [((u.reshape(1, -1) - float(k[0, 2])) / float(k[0, 0])) * zf,
         ((v.reshape(1, -1) - float(k[1, 2])) / float(k[1, 1])) * zf, zf], 0
    )  # fmt: skip
    rel = torch.from_numpy((guides.world_to_camera @ invert_rigid(w2c))[:, :3].astype(np.float32))
    p = rel[:, :, :3] @ pts + rel[:, :, 3:]  # (G, 3, H*W)
    zs = p[:, 2].clamp(min=1e-4)
    gk = torch.from_numpy(guides.intrinsics.astype(np.float32))
    us = gk[:, 0, 0, None] * p[:, 0] / zs + gk[:, 0, 2, None]
    vs = gk[:, 1, 1, None] * p[:, 1] / zs + gk[:, 1, 2, None]
    gh, gw = guides.images.shape[-2:]
    grid = torch.stack([(us + 0.5) / gw * 2 - 1, (vs + 0.5) / gh * 2 - 1], -1).view(-1, h, w, 2)
    warped = F.grid_sample(guides.images, grid, mode="bilinear", padding_mode="border", align_corners=False)
    valid = ((grid.abs() <= 1).all(-1) & (p[:, 2] > 1e-4).view(-1, h, w)).to(z.dtype)[:, None]
    return warped, valid


def compose(weights: torch.Tensor, rendered: torch.Tensor, warped: torch.Tensor) -> torch.Tensor:
    """The weighted sum (1, 3, H, W) of the grid's image (1, 3, H, W) and the warped views
    (G, 3, H, W) under weights (1, G + 1, H, W) that sum to 1."""
    return weights[:, :1] * rendered + (weights[:, 1:, None] * warped[None]).sum(1)


def guided_view(
    blend,
    rendered: torch.Tensor,
    depth_norm: torch.Tensor,
    near_far: tuple[float, float],
    w2c: np.ndarray,
    k: np.ndarray,
    guides: Guides,
    fine: tuple[Guides, np.ndarray, tuple[int, int]] | None = None,
) -> torch.Tensor:
    """The novel view (1, 3, H, W): the grid's image `rendered` (K `k` in its px) blended with
    `guides` reprojected through its depth. `fine` = (the guides at the output size, K in px
    of the output, its (w, h)): the weights, predicted at the model's size, are applied to the
    views warped at the output size, so the output keeps the captured views' own detail."""
    size = (rendered.shape[-1], rendered.shape[-2])
    warped, valid = reproject(guides, w2c, k, depth_map(depth_norm, near_far, size))
    prior = np.ones(len(guides.images)) if guides.prior is None else guides.prior
    weights = blend(rendered, warped, valid, torch.from_numpy(np.asarray(prior, np.float32)))
    if fine is None:
        return compose(weights, rendered, warped)
    fine_guides, fine_k, fine_size = fine
    warped, valid = reproject(fine_guides, w2c, fine_k, depth_map(depth_norm, near_far, fine_size))

    def up(x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, size=(fine_size[1], fine_size[0]), mode="bilinear", align_corners=False)

    weights = up(weights)
    # A view that does not reach a pixel at the output's size (its border, a sliver the model's
    # size rounded off) hands its weight to the grid's image there: the weights still sum to 1.
    seen = weights[:, 1:] * valid[:, 0][None]
    weights = torch.cat([weights[:, :1] + (weights[:, 1:] - seen).sum(1, keepdim=True), seen], 1)
    return compose(weights, up(rendered), warped)
