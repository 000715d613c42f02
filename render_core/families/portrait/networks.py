"""Deep Video Portraits' rendering-to-video network (Kim et al. 2018), a skip U-Net.

Encoder: 4x4 stride-2 convolutions with norm and LeakyReLU 0.2 (no norm on the first and
innermost). Decoder: 4x4 stride-2 transposed convolutions, each followed by `refine` 3x3
convolutions, with skip concatenations from the encoder and dropout in the first decoder
blocks; a final transposed conv + tanh gives the frame.

Convention: input (B, 9 * N_w, S, S) conditioning window in [0, 1]; output (B, 3, S, S) in
[-1, 1] (image = (out + 1) / 2). S must be divisible by 2 ** depth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from render_core.errors import InputError
from render_core.families.portrait.config import PortraitPreset
from render_core.models.blocks import ConvNormAct, UpNormAct, init_weights, make_norm


@dataclass(frozen=True)
class PortraitNetConfig:
    in_ch: int = 99
    base: int = 64  # width of the first encoder level (paper: 64)
    max_ch: int = 512
    depth: int = 8  # number of stride-2 levels (paper: 8 at 256 px)
    refine: int = 1  # 3x3 refinement convs after each upsampling
    dropout: float = 0.5
    dropout_blocks: int = 3
    norm: str = "instance"


class PortraitUNet(nn.Module):
    def __init__(self, cfg: PortraitNetConfig) -> None:
        super().__init__()
        self.cfg = cfg
        widths = [min(cfg.base * 2**i, cfg.max_ch) for i in range(cfg.depth)]
        self.down = nn.ModuleList()
        cin = cfg.in_ch
        for i, w in enumerate(widths):
            norm = "none" if i in (0, cfg.depth - 1) else cfg.norm
            self.down.append(ConvNormAct(cin, w, 4, 2, norm, "lrelu"))
            cin = w
        self.up = nn.ModuleList()
        for j in range(cfg.depth - 1):  # from innermost outward, producing widths[-2 - j]
            level = cfg.depth - 2 - j
            cin_up = widths[-1] if j == 0 else 2 * widths[level + 1]
            self.up.append(self._up_block(cin_up, widths[level], drop=j < cfg.dropout_blocks))
        self.out = nn.Sequential(nn.ConvTranspose2d(2 * widths[0], 3, 4, 2, 1), nn.Tanh())
        init_weights(self)

    def _up_block(self, cin: int, cout: int, drop: bool) -> nn.Sequential:
        layers: list[nn.Module] = [UpNormAct(cin, cout, self.cfg.norm, "relu")]
        layers += [ConvNormAct(cout, cout, 3, 1, self.cfg.norm, "relu") for _ in range(self.cfg.refine)]
        if drop and self.cfg.dropout > 0:
            layers.append(nn.Dropout(self.cfg.dropout))
        return nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, in_ch, S, S) -> (B, 3, S, S) in [-1, 1]."""
        skips = []
        for d in self.down:
            x = d(x)
            skips.append(x)
        for j, u in enumerate(self.up):
            x = u(x if j == 0 else torch.cat([x, skips[-1 - j]], 1))
        return self.out(torch.cat([x, skips[0]], 1))


_ = make_norm  # re-exported for families composing their own heads


def net_config(cfg: PortraitPreset) -> PortraitNetConfig:
    """The U-Net of a preset; depth capped so the bottleneck is at least 1 px (64 px overrides work)."""
    depth = min(cfg.g_depth, int(np.log2(cfg.resolution)))
    if cfg.resolution % 2**depth:
        raise InputError(None, f"resolution {cfg.resolution} must be divisible by {2**depth}")
    return PortraitNetConfig(
        in_ch=9 * cfg.n_w,
        base=cfg.g_base,
        max_ch=cfg.g_max,
        depth=depth,
        refine=cfg.g_refine,
        dropout=cfg.dropout,
    )
