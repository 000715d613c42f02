"""DeepVoxels' networks (Sitzmann et al. 2019), small: a 2D feature extractor, a 3D
convolutional GRU that integrates lifted features into the persistent voxel grid, a 3D U-Net,
an occlusion net (softmax visibility along each ray of the target frustum) and a 2D rendering
net. Rendering a view needs only the grid and the last three: no input images.

Convention: images (B, 3, H, W) float32 RGB [0, 1]; volumes (B, C, z, y, x); frustum
features (B, C, D, h, w) with D samples along each ray, near to far.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from render_core.families.novel_view.config import NovelViewConfig
from render_core.families.novel_view.sampling import sample_frustum


def _c2(i: int, o: int, stride: int = 1) -> nn.Sequential:
    # No normalization: batches of one view, and training and rendering see the same statistics.
    return nn.Sequential(nn.Conv2d(i, o, 3, stride, 1), nn.LeakyReLU(0.2, True))


def _c3(i: int, o: int, stride: int = 1) -> nn.Sequential:
    # Conv3d(padding=1) rather than ReplicationPad3d + Conv3d: about 2x faster on a CPU.
    return nn.Sequential(nn.Conv3d(i, o, 3, stride, 1), nn.LeakyReLU(0.2, True))


class FeatureNet(nn.Module):
    """Image (B, 3, H, W) -> features (B, feat, H/2, W/2): what is lifted into the grid.
    The last 3 channels are the image's own colours (area-downsampled): the grid holds the
    views' colours from the first step, so a short CPU run starts from a coloured scene
    instead of learning to pass colour through the extractor."""

    def __init__(self, feat: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            _c2(3, feat), _c2(feat, feat, 2), _c2(feat, feat), nn.Conv2d(feat, feat - 3, 3, 1, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.net(x), F.avg_pool2d(x, 2)], 1)


class ConvGRU3d(nn.Module):
    """A convolutional GRU over voxels: the grid (hidden state) absorbs each step's lifted
    features, so views seen over training accumulate in one persistent scene."""

    def __init__(self, inp: int, hidden: int) -> None:
        super().__init__()
        self.gates = nn.Conv3d(inp + hidden, 2 * hidden, 3, 1, 1)
        self.cand = nn.Conv3d(inp + hidden, hidden, 3, 1, 1)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        z, r = torch.sigmoid(self.gates(torch.cat([x, h], 1))).chunk(2, 1)
        c = torch.tanh(self.cand(torch.cat([x, r * h], 1)))
        return (1 - z) * h + z * c


class UNet3d(nn.Module):
    """Two-level 3D U-Net over the grid: view-independent scene features."""

    def __init__(self, ch: int) -> None:
        super().__init__()
        self.inp = _c3(ch, ch)
        self.down = _c3(ch, 2 * ch, 2)
        self.mid = _c3(2 * ch, 2 * ch)
        self.up = _c3(3 * ch, ch)
        self.out = nn.Conv3d(ch, ch, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.inp(x)
        b = self.mid(self.down(a))
        b = F.interpolate(b, size=a.shape[2:], mode="trilinear", align_corners=False)
        return self.out(self.up(torch.cat([a, b], 1)))


class OcclusionNet(nn.Module):
    """Frustum features (+ normalized depth) -> visibility per sample, softmax along each ray;
    returns the visibility-weighted features (B, C, h, w) and the expected depth (B, 1, h, w)."""

    def __init__(self, ch: int) -> None:
        super().__init__()
        self.net = nn.Sequential(_c3(ch + 1, ch), _c3(ch, ch), nn.Conv3d(ch, 1, 3, 1, 1))

    def forward(self, frustum: torch.Tensor, depths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, _, d, h, w = frustum.shape
        dch = depths.view(1, 1, d, 1, 1).expand(b, 1, d, h, w)
        vis = torch.softmax(self.net(torch.cat([frustum, dch], 1)), dim=2)
        return (vis * frustum).sum(2), (vis * dch).sum(2)


class RenderNet(nn.Module):
    """Collapsed features (B, C+1, h, w) -> image (B, 3, 2h, 2w) in [0, 1]: a small 2D U-Net."""

    def __init__(self, inp: int, ch: int) -> None:
        super().__init__()
        self.a = _c2(inp, ch)
        self.down = _c2(ch, 2 * ch, 2)
        self.mid = _c2(2 * ch, 2 * ch)
        self.up = _c2(3 * ch, ch)
        self.fine = nn.Sequential(_c2(ch, ch), nn.Conv2d(ch, 3, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.a(x)
        b = F.interpolate(self.mid(self.down(a)), size=a.shape[2:], mode="bilinear", align_corners=False)
        c = self.up(torch.cat([a, b], 1))
        c = F.interpolate(c, scale_factor=2.0, mode="bilinear", align_corners=False)
        return torch.sigmoid(self.fine(c))


def _blend_stack(inp: int, ch: int) -> nn.Sequential:
    # Dilated convolutions: the context to tell a misplaced (occluded, off-surface) warp from a right one.
    return nn.Sequential(
        nn.Conv2d(inp, ch, 3, 1, 1), nn.LeakyReLU(0.2, True),
        nn.Conv2d(ch, ch, 3, 1, 2, dilation=2), nn.LeakyReLU(0.2, True),
        nn.Conv2d(ch, ch, 3, 1, 4, dilation=4), nn.LeakyReLU(0.2, True),
        nn.Conv2d(ch, 1, 3, 1, 1),
    )  # fmt: skip


class ViewBlend(nn.Module):
    """(grid image (1, 3, H, W), G warped captured views (G, 3, H, W), where each saw the
    point (G, 1, H, W), their priors (G,)) -> per-pixel weights (1, G + 1, H, W) over the grid
    image and the views, summing to 1. Each view is scored by the same net beside the grid
    image and the prior-weighted mean of the views, so the order of the views does not matter;
    a view's prior scales its weight, so one fading out of the nearest few (prior -> 0) leaves
    without a jump. A view that did not see the point gets no weight."""

    def __init__(self, ch: int) -> None:
        super().__init__()
        self.view = _blend_stack(3 + 3 + 1 + 3, ch)
        self.grid = _blend_stack(3 + 3 + 1, ch)

    def forward(
        self, rendered: torch.Tensor, warped: torch.Tensor, valid: torch.Tensor, prior: torch.Tensor
    ) -> torch.Tensor:
        g = warped.shape[0]
        trust = valid * prior.view(g, 1, 1, 1)
        cover = trust.sum(0, keepdim=True)
        mean = (trust * warped).sum(0, keepdim=True) / cover.clamp(min=1e-6)
        mean = mean + (1 - cover.clamp(max=1)) * rendered  # the grid's image where no view saw
        context = torch.cat([rendered, mean], 1)
        views = self.view(torch.cat([context.expand(g, -1, -1, -1), warped, valid], 1))  # (G, 1, H, W)
        grid = self.grid(torch.cat([context, cover.clamp(max=1)], 1))
        logits = torch.cat([grid, (views + torch.log(trust + 1e-6)).transpose(0, 1)], 1)
        return torch.softmax(logits, 1)


class DeepVoxels(nn.Module):
    """The whole model and its persistent grid (`state`, a buffer saved with the weights);
    `blend` (where the preset guides with captured views) weighs the reprojected views."""

    def __init__(self, cfg: NovelViewConfig) -> None:
        super().__init__()
        self.features = FeatureNet(cfg.feat)
        self.gru = ConvGRU3d(cfg.feat + 1, cfg.voxel)
        self.unet = UNet3d(cfg.voxel)
        self.occlusion = OcclusionNet(cfg.voxel)
        self.render = RenderNet(cfg.voxel + 1, cfg.render_ch)
        self.blend = ViewBlend(cfg.blend_ch) if cfg.guide_views else None
        self.blend_views = cfg.guide_views
        n = cfg.grid
        self.register_buffer("state", torch.zeros(1, cfg.voxel, n, n, n))

    def integrate(self, lifted: torch.Tensor, seen: torch.Tensor) -> torch.Tensor:
        """The grid after one GRU step on lifted features (C, n, n, n) + their coverage (1, n, n, n)."""
        return self.gru(torch.cat([lifted, seen], 0)[None], self.state)

    def scene(self, grid: torch.Tensor | None = None) -> torch.Tensor:
        """View-independent scene features (1, C, n, n, n) of `grid` (default: the stored one)."""
        return self.unet(self.state if grid is None else grid)

    def render_views(
        self, scene: torch.Tensor, coords: torch.Tensor, depths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Images (B, 3, 2h, 2w) of the views whose frustum coords are (B, D, h, w, 3), and
        their expected depth (B, 1, h, w) in [0, 1] of each ray's near-far range."""
        fr = sample_frustum(scene.expand(coords.shape[0], -1, -1, -1, -1), coords)
        feat, depth = self.occlusion(fr, depths)
        return self.render(torch.cat([feat, depth], 1)), depth
