"""Convolutions that compute tiny feature maps on the CPU as one matrix product.

Why: oneDNN's convolution kernels carry a fixed cost per call (weight reorders, primitive set-up)
that dwarfs the arithmetic of a U-Net's innermost levels: on 1x1 and 2x2 maps unfold + matmul
(im2col) is several times faster, from 8x8 maps the two paths tie (measurements:
docs/performance.md). Maps of at most
`TINY_MAP_PIXELS` input pixels take the matmul path; bigger maps, other devices and other
padding modes keep torch's convolution. Parameters and results are those of nn.Conv2d /
nn.ConvTranspose2d, so checkpoints load either way.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

TINY_MAP_PIXELS = 16  # input H * W at or below which the CPU path is a matmul (a 4x4 map)


def _tiny(x: torch.Tensor, module: nn.Module) -> bool:
    return (
        x.device.type == "cpu"
        and x.dim() == 4
        and x.shape[-2] * x.shape[-1] <= TINY_MAP_PIXELS
        and module.groups == 1
        and module.padding_mode == "zeros"
        and isinstance(module.padding, tuple)
    )


class TinyMapConv2d(nn.Conv2d):
    """nn.Conv2d; on a tiny CPU map: patches (B, C*kh*kw, L) times the (C_out, C*kh*kw) weight."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not _tiny(x, self):
            return super().forward(x)
        b, _, h, w = x.shape
        kh, kw = self.kernel_size
        ho = (h + 2 * self.padding[0] - self.dilation[0] * (kh - 1) - 1) // self.stride[0] + 1
        wo = (w + 2 * self.padding[1] - self.dilation[1] * (kw - 1) - 1) // self.stride[1] + 1
        cols = F.unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)
        weight = self.weight.reshape(self.out_channels, -1)
        out = torch.matmul(weight, cols).reshape(b, self.out_channels, ho, wo)
        return out if self.bias is None else out + self.bias.to(out.dtype).reshape(1, -1, 1, 1)


class TinyMapConvTranspose2d(nn.ConvTranspose2d):
    """nn.ConvTranspose2d; on a tiny CPU map: the transposed weight times the input gives each
    input pixel's (C_out, kh, kw) footprint, which fold (col2im) sums into the output."""

    def forward(self, x: torch.Tensor, output_size: list[int] | None = None) -> torch.Tensor:
        if output_size is not None or not _tiny(x, self):
            return super().forward(x, output_size)
        b, c, h, w = x.shape
        kh, kw = self.kernel_size
        size = [
            (n - 1) * s - 2 * p + d * (k - 1) + op + 1
            for n, s, p, d, k, op in zip(
                (h, w), self.stride, self.padding, self.dilation, (kh, kw), self.output_padding, strict=True
            )
        ]
        weight = self.weight.reshape(c, -1).t()  # (C_out * kh * kw, C_in)
        cols = torch.matmul(weight, x.reshape(b, c, h * w))
        out = F.fold(cols, size, self.kernel_size, self.dilation, self.padding, self.stride)
        return out if self.bias is None else out + self.bias.to(out.dtype).reshape(1, -1, 1, 1)
