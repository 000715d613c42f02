"""Discriminators of the body family (Everybody Dance Now, 3.2), built on the shared PatchGAN:
the multi-scale conditional PatchGAN on (pose, frame) and the temporal discriminator D_T on
(pose_t, pose_t+1, frame_t, frame_t+1); plus the LSGAN and feature-matching losses.

Convention: inputs (B, C, H, W) float32 in [0, 1] (mapped to [-1, 1] here, as `patch_gan`
expects); C = 6 for (pose, frame) and 12 for the temporal pair. Outputs: per scale a
(logits, features) pair, as `MultiScalePatchGAN(..., features=True)` returns.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from render_core.models.patch_gan import MultiScalePatchGAN, PatchGANConfig

Outputs = list[tuple[torch.Tensor, list[torch.Tensor]]]


class PairDiscriminator(nn.Module):
    """Multi-scale PatchGAN over channel-concatenated [0, 1] images."""

    def __init__(self, in_ch: int, ndf: int = 64, n_layers: int = 3, scales: int = 2) -> None:
        super().__init__()
        self.net = MultiScalePatchGAN(PatchGANConfig(in_ch=in_ch, base=ndf, n_layers=n_layers, scales=scales))

    def forward(self, *images: torch.Tensor) -> Outputs:
        return self.net(torch.cat(images, 1) * 2 - 1, features=True)


def frame_discriminator(ndf: int = 64, n_layers: int = 3, scales: int = 2) -> PairDiscriminator:
    """D(pose, frame): 6 input channels."""
    return PairDiscriminator(6, ndf, n_layers, scales)


def temporal_discriminator(ndf: int = 64, n_layers: int = 3, scales: int = 1) -> PairDiscriminator:
    """D_T(pose_t, pose_t+1, frame_t, frame_t+1): 12 input channels."""
    return PairDiscriminator(12, ndf, n_layers, scales)


def lsgan_loss(outputs: Outputs, target_real: bool) -> torch.Tensor:
    """LSGAN: mean squared distance of every scale's patch logits to 1 (real) or 0 (fake)."""
    target = 1.0 if target_real else 0.0
    return sum(((logits - target) ** 2).mean() for logits, _ in outputs) / len(outputs)


def feature_matching_loss(fake: Outputs, real: Outputs) -> torch.Tensor:
    """pix2pixHD discriminator feature matching: L1 between intermediate features (real detached)."""
    total = fake[0][0].new_zeros(())
    for (_, f_feats), (_, r_feats) in zip(fake, real, strict=True):
        for f, r in zip(f_feats, r_feats, strict=True):
            total = total + F.l1_loss(f, r.detach()) / len(f_feats)
    return total / len(fake)
