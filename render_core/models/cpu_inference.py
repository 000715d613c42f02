"""Inference on the CPU with convolution weights packed once into oneDNN's blocked layout.

Why: an eager convolution reorders its weight into oneDNN's layout on every call. For one frame
at a time those reorders are about a sixth of the time (at 8 frames per pass, no difference;
measurements: docs/performance.md). `pack_for_cpu` swaps each
Conv2d / ConvTranspose2d of an eval-mode model for a layer that packs its weight once per input
shape and then runs oneDNN's prepacked convolution: the kernels torch.compile's freezing pass
uses, without a compiler. The first call per shape is checked against torch's own result; a
layer that cannot pack or disagrees keeps torch's path, so a torch without these kernels still
renders, only slower.

Instance norms are swapped too (`InferenceInstanceNorm`): oneDNN hands each packed convolution's
output over channels-last, and torch's instance norm copied its input back to NCHW, so every norm
layer cost a full reorder. One frame is normalized by batch norm, which reads channels-last as it
comes and beat group norm (`blocks.InstanceNorm`, the training path) on those inputs; several
frames per pass use group norm (a batch norm per frame, concatenated, was no faster).
Measurements: docs/performance.md.

Inference only: packed weights are a snapshot of the weights at the first call.
"""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.nn import functional as F

from render_core.models.blocks import InstanceNorm

_TOLERANCE = 1e-3  # max |packed - eager| relative to the eager output's max magnitude
# Packed copies kept per layer, one per input shape (one frame, an export batch, a clip's last
# partial batch): each is a copy of the weight, so older shapes are dropped past this many.
MAX_SHAPES = 3


class PackedConv(nn.Module):
    """One convolution (transposed or not) with its weight prepacked per input shape."""

    def __init__(self, conv: nn.Conv2d | nn.ConvTranspose2d) -> None:
        super().__init__()
        self.conv = conv
        self.transposed = isinstance(conv, nn.ConvTranspose2d)
        self.packed: dict[tuple, torch.Tensor] = {}
        self.failed = False
        # oneDNN's geometry arguments, once: a non-zero padding mode is applied before the call.
        padding = [0, 0] if conv.padding_mode != "zeros" else list(conv.padding)
        extra = [list(conv.output_padding)] if self.transposed else []
        self.geometry = (padding, *extra, list(conv.stride), list(conv.dilation), conv.groups)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.failed or not _packable(x, self.conv):
            return self.conv(x)
        c = self.conv
        if c.padding_mode != "zeros":  # nn.Conv2d pads explicitly, then convolves unpadded
            x = F.pad(x, c._reversed_padding_repeated_twice, mode=c.padding_mode)
        key = tuple(x.shape)
        if key not in self.packed:
            return self._first_call(x, key)
        return self._run(x, self.packed[key])

    def _pack(self, x: torch.Tensor) -> torch.Tensor:
        w = self.conv.weight.detach()
        if self.transposed:
            return torch.ops.mkldnn._reorder_convolution_transpose_weight(w, *self.geometry, list(x.shape))
        return torch._C._nn.mkldnn_reorder_conv2d_weight(w.to_mkldnn(), *self.geometry, list(x.shape))

    def _run(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        bias = None if self.conv.bias is None else self.conv.bias.detach()
        op = (
            torch.ops.mkldnn._convolution_transpose_pointwise
            if self.transposed
            else torch.ops.mkldnn._convolution_pointwise
        )
        return op(x, weight, bias, *self.geometry, "none", [], "")

    def _eager(self, padded: torch.Tensor) -> torch.Tensor:
        c = self.conv
        if self.transposed:
            return c(padded)
        return F.conv2d(padded, c.weight, c.bias, c.stride, self.geometry[0], c.dilation, c.groups)

    def _first_call(self, x: torch.Tensor, key: tuple) -> torch.Tensor:
        """Pack, run both paths once and keep the packed one only where they agree."""
        expected = self._eager(x)
        try:
            weight = self._pack(x)
            got = self._run(x, weight)
        except (RuntimeError, NotImplementedError, AttributeError):
            self.failed = True
            return expected
        scale = float(expected.abs().max()) or 1.0
        if got.shape != expected.shape or float((got - expected).abs().max()) > _TOLERANCE * scale:
            self.failed = True
            return expected
        if len(self.packed) >= MAX_SHAPES:
            self.packed.pop(next(iter(self.packed)))
        self.packed[key] = weight
        return got


class InferenceInstanceNorm(nn.Module):
    """`blocks.InstanceNorm` for CPU inference: one frame by batch norm over its own pixels,
    which reads the channels-last input as it arrives (no copy); anything else (several frames,
    autograd, autocast, another device) by the norm itself."""

    def __init__(self, norm: InstanceNorm) -> None:
        super().__init__()
        self.norm = norm

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = self.norm
        one_cpu_frame = x.dim() == 4 and x.shape[0] == 1 and x.device.type == "cpu"
        if not one_cpu_frame or torch.is_grad_enabled() or _autocast_on():
            return n(x)
        return F.batch_norm(x, None, None, n.weight, n.bias, True, 0.0, n.eps)


def _autocast_on() -> bool:
    return torch.is_autocast_enabled("cpu")


def _packable(x: torch.Tensor, conv: nn.Module) -> bool:
    return (
        x.device.type == "cpu"
        and x.dtype == torch.float32
        and x.dim() == 4
        and not torch.is_grad_enabled()
        and not _autocast_on()
        and torch.backends.mkldnn.is_available()
        and isinstance(conv.padding, tuple)
    )


def pack_for_cpu(model: nn.Module) -> nn.Module:
    """A copy of `model` (eval mode) whose convolutions run with prepacked weights and whose
    instance norms skip the layout copy, on the CPU in float32 without autograd; elsewhere
    (CUDA, autocast, training) they run as before."""
    packed = copy.deepcopy(model).eval()
    _swap(packed)
    return packed


def _swap(module: nn.Module) -> None:
    for name, child in module.named_children():
        if isinstance(child, nn.Conv2d | nn.ConvTranspose2d):
            setattr(module, name, PackedConv(child))
        elif isinstance(child, InstanceNorm):
            setattr(module, name, InferenceInstanceNorm(child))
        else:
            _swap(child)
