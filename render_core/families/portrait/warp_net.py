"""The warp-guided portrait generator: corrects a warped real crop instead of redrawing the face.

The DVP U-Net (networks.PortraitUNet) receives the conditioning window plus the source crop
warped to the target geometry (warp_input.py) and predicts a hallucinated image h, a soft
mask m and a residual r; the output is vid2vid's composition `m * h + (1 - m) * (warped + r)`.
Where the warp is right (skin, hair, background) m stays low and the source's full detail
passes through (corrected in shading by r); the network
spends itself on what moving cannot give (mouth interior, eyelids, shading, disocclusions).
The mask's bias starts low, so an untrained model already outputs (nearly) the warp.

Convention: input (B, 9 * N_w + 3, S, S) in [0, 1], the warped crop last; output (B, 3, S, S)
in [-1, 1] (image = (out + 1) / 2), as PortraitUNet's.
"""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import nn

from render_core.families.portrait.networks import PortraitNetConfig, PortraitUNet

WARP_CHANNELS = 3
HEAD_CHANNELS = 7  # hallucinated RGB, mask logit, residual RGB
MASK_BIAS = -3.0  # sigmoid(-3) = 0.047: the output starts close to the warped crop


class WarpGuidedUNet(PortraitUNet):
    """PortraitUNet whose head predicts (h, mask logit, residual r) and composes them over the
    warped input: `m * h + (1 - m) * (warped + r)`. Why the residual: its gradient reaches the
    head undamped from the first step (the mask's passes through a sigmoid held near 0), so
    shading and small misplacements of the warp are corrected within a CPU preview's steps."""

    def __init__(self, cfg: PortraitNetConfig) -> None:
        super().__init__(cfg)
        first = min(cfg.base, cfg.max_ch)
        head = nn.ConvTranspose2d(2 * first, HEAD_CHANNELS, 4, 2, 1)
        nn.init.normal_(head.weight, 0.0, 0.02)
        nn.init.zeros_(head.bias)
        with torch.no_grad():
            head.weight[:, 4:] = 0.0  # the residual starts at 0: the output starts as the warp
            head.bias[3] = MASK_BIAS
        self.out = head

    def heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x: (B, in_ch, S, S) -> (hallucinated in [-1, 1], mask (B, 1, S, S) in [0, 1],
        residual in [-1, 1]) before composing."""
        raw = super().forward(x)
        return torch.tanh(raw[:, :3]), torch.sigmoid(raw[:, 3:4]), torch.tanh(raw[:, 4:])

    def compose(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x: (B, in_ch, S, S) -> (output, mask, hallucinated), images in [-1, 1]."""
        h, m, r = self.heads(x)
        warped = x[:, -WARP_CHANNELS:] * 2 - 1
        return m * h + (1 - m) * (warped + r), m, h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, in_ch, S, S) -> (B, 3, S, S) in [-1, 1]."""
        return self.compose(x)[0]


def build_generator(cfg: PortraitNetConfig, warp_input: bool) -> PortraitUNet:
    """The generator of a preset: warp-guided (its input widened by the warped crop) or the
    conditioning-only DVP U-Net of checkpoints trained before the warp input existed."""
    if not warp_input:
        return PortraitUNet(cfg)
    return WarpGuidedUNet(replace(cfg, in_ch=cfg.in_ch + WARP_CHANNELS))
