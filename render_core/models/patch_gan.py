"""Conditional PatchGAN discriminators (pix2pix) and a multi-scale wrapper (pix2pixHD).

Convention: input is cat(condition, image) (B, C_cond + 3, H, W) with images in [-1, 1];
output is a list of per-scale logit maps (B, 1, h, w), plus the intermediate features of each
scale (for feature-matching losses) when `features=True`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from render_core.models.blocks import ConvNormAct, init_weights


@dataclass(frozen=True)
class PatchGANConfig:
    in_ch: int = 102
    base: int = 64
    n_layers: int = 3  # stride-2 layers: 3 gives the 70x70 receptive field
    max_ch: int = 512
    norm: str = "instance"
    scales: int = 1  # >1: pix2pixHD multi-scale, each scale on a 2x average-pooled input


class PatchGAN(nn.Module):
    def __init__(self, cfg: PatchGANConfig) -> None:
        super().__init__()
        layers: list[nn.Module] = [ConvNormAct(cfg.in_ch, cfg.base, 4, 2, "none", "lrelu")]
        ch = cfg.base
        for i in range(1, cfg.n_layers + 1):
            nxt = min(cfg.base * 2**i, cfg.max_ch)
            stride = 2 if i < cfg.n_layers else 1
            layers.append(_conv4(ch, nxt, stride, cfg.norm))
            ch = nxt
        layers.append(nn.Conv2d(ch, 1, 4, 1, 1))
        self.layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor, features: bool = False):
        feats = []
        for layer in self.layers:
            x = layer(x)
            feats.append(x)
        return (x, feats[:-1]) if features else x


def _conv4(cin: int, cout: int, stride: int, norm: str) -> nn.Module:
    block = ConvNormAct(cin, cout, 4, stride, norm, "lrelu")
    if stride == 1:  # pix2pix: 4x4 stride-1 with padding 1 (shrinks by one pixel)
        block[0] = nn.Conv2d(cin, cout, 4, 1, 1, bias=norm == "none")
    return block


class MultiScalePatchGAN(nn.Module):
    """`scales` PatchGANs; scale k sees the input average-pooled k times."""

    def __init__(self, cfg: PatchGANConfig) -> None:
        super().__init__()
        self.nets = nn.ModuleList(PatchGAN(cfg) for _ in range(cfg.scales))
        init_weights(self)

    def forward(self, x: torch.Tensor, features: bool = False) -> list:
        out = []
        for k, net in enumerate(self.nets):
            if k > 0:
                x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
            out.append(net(x, features))
        return out
