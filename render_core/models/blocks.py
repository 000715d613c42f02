"""Shared building blocks for the generators and discriminators of every family.

Convention: tensors (B, C, H, W). `norm` is "instance" (affine), "batch" or "none".
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from render_core.models.tiny_map_conv import TinyMapConv2d, TinyMapConvTranspose2d


class InstanceNorm(nn.InstanceNorm2d):
    """nn.InstanceNorm2d (affine, no running statistics) computed as a group norm with one
    channel per group: the same normalization, parameters and state-dict keys, so checkpoints
    load either way.

    Why: torch's instance norm repeats its affine parameters for every sample and copies a
    channels-last input to NCHW on every call (oneDNN's packed convolutions hand over
    channels-last), while group norm has its own kernel for either layout (several times faster
    per layer; measurements: docs/performance.md)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4:
            return super().forward(x)
        return F.group_norm(x, self.num_features, self.weight, self.bias, self.eps)


def make_norm(kind: str, ch: int) -> nn.Module:
    if kind == "instance":
        return InstanceNorm(ch, affine=True)
    if kind == "batch":
        return nn.BatchNorm2d(ch)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {kind!r}")


def make_act(kind: str) -> nn.Module:
    if kind == "lrelu":
        return nn.LeakyReLU(0.2, inplace=True)
    if kind == "relu":
        return nn.ReLU(inplace=True)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown activation {kind!r}")


class ConvNormAct(nn.Sequential):
    """conv(k, stride) -> norm -> activation; bias only when there is no norm."""

    def __init__(
        self,
        cin: int,
        cout: int,
        k: int = 3,
        stride: int = 1,
        norm: str = "instance",
        act: str = "relu",
        pad_mode: str = "zeros",
    ) -> None:
        pad = (k - 1) // 2 if stride == 1 else (k - stride + 1) // 2
        super().__init__(
            TinyMapConv2d(cin, cout, k, stride, pad, bias=norm == "none", padding_mode=pad_mode),
            make_norm(norm, cout),
            make_act(act),
        )


class UpNormAct(nn.Sequential):
    """4x4 stride-2 transposed conv (exact 2x upsampling) -> norm -> activation."""

    def __init__(self, cin: int, cout: int, norm: str = "instance", act: str = "relu") -> None:
        super().__init__(
            TinyMapConvTranspose2d(cin, cout, 4, 2, 1, bias=norm == "none"),
            make_norm(norm, cout),
            make_act(act),
        )


class ResBlock(nn.Module):
    """Two 3x3 conv-norm layers with an identity skip (pix2pixHD / EDN residual block)."""

    def __init__(self, ch: int, norm: str = "instance", pad_mode: str = "reflect") -> None:
        super().__init__()
        self.body = nn.Sequential(
            ConvNormAct(ch, ch, 3, 1, norm, "relu", pad_mode),
            ConvNormAct(ch, ch, 3, 1, norm, "none", pad_mode),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def init_weights(module: nn.Module, std: float = 0.02) -> None:
    """pix2pix initialization: conv weights N(0, 0.02), norm scales N(1, 0.02), biases 0."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d):
            nn.init.normal_(m.weight, 0.0, std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.InstanceNorm2d | nn.BatchNorm2d) and m.weight is not None:
            nn.init.normal_(m.weight, 1.0, std)
            nn.init.zeros_(m.bias)


def cell_field(t: torch.Tensor, cell: int) -> torch.Tensor:
    """(B, C, H, W) averaged over `cell` x `cell` px cells and upsampled bilinearly: a smooth
    field (colour, shading) with none of the input's texture. Returned as is where `cell` <= 1
    or does not divide H and W. Why: the warp-guided generators change the moved real pixels
    only by such a field, so the footage keeps its own detail."""
    if cell <= 1 or t.shape[-1] % cell or t.shape[-2] % cell:
        return t
    return F.interpolate(F.avg_pool2d(t, cell), scale_factor=cell, mode="bilinear", align_corners=False)
