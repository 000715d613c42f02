"""The body family's generators (Everybody Dance Now = pix2pixHD global generator + temporal input).

`BodyGenerator`: 7x7 conv -> stride-2 3x3 downsamplings -> residual blocks -> stride-2 transposed
3x3 upsamplings -> 7x7 conv -> tanh, instance norm throughout (pix2pixHD's global generator,
built from the shared `blocks`). The
input is the current pose stick figure concatenated with the previously *generated* frame (zeros
at the first frame of a sequence): 6 channels. That feedback is the paper's temporal smoothing.

Convention: images are (B, 3, H, W) float32 RGB in [0, 1] at the module boundary (the tanh output
is mapped to [0, 1]); H and W must be divisible by 2**n_down.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from render_core.models.blocks import ConvNormAct, ResBlock, init_weights, make_norm


@dataclass(frozen=True)
class BodyGeneratorConfig:
    """Widths: channels double per downsampling from `ngf`, capped at `max_channels`.
    The paper (pix2pixHD global): ngf 64, n_down 4, n_blocks 9, max 1024."""

    ngf: int = 64
    n_down: int = 4
    n_blocks: int = 9
    max_channels: int = 1024
    pose_channels: int = 3
    out_channels: int = 3


def global_generator(
    in_ch: int, out_ch: int, ngf: int, n_down: int, n_blocks: int, cap: int
) -> nn.Sequential:
    """pix2pixHD's global generator as a plain Sequential (ends in tanh, range [-1, 1])."""
    width = [min(ngf * 2**i, cap) for i in range(n_down + 1)]
    layers: list[nn.Module] = [ConvNormAct(in_ch, width[0], 7, 1, "instance", "relu", "reflect")]
    for i in range(n_down):
        layers.append(ConvNormAct(width[i], width[i + 1], 3, 2, "instance", "relu"))
    layers += [ResBlock(width[-1]) for _ in range(n_blocks)]
    for i in reversed(range(n_down)):
        up = nn.ConvTranspose2d(width[i + 1], width[i], 3, stride=2, padding=1, output_padding=1, bias=False)
        layers += [up, make_norm("instance", width[i]), nn.ReLU(inplace=True)]
    layers += [nn.Conv2d(width[0], out_ch, 7, padding=3, padding_mode="reflect"), nn.Tanh()]
    net = nn.Sequential(*layers)
    init_weights(net)
    return net


class BodyGenerator(nn.Module):
    """G(pose_t, generated_{t-1}) -> frame_t."""

    def __init__(self, cfg: BodyGeneratorConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg = cfg or BodyGeneratorConfig()
        in_ch = cfg.pose_channels + cfg.out_channels
        self.net = global_generator(
            in_ch, cfg.out_channels, cfg.ngf, cfg.n_down, cfg.n_blocks, cfg.max_channels
        )

    def forward(self, pose: torch.Tensor, previous: torch.Tensor | None = None) -> torch.Tensor:
        """pose: (B, 3, H, W) stick figure; previous: (B, 3, H, W) last generated frame or None
        (start of a sequence: zeros). Returns (B, 3, H, W) in [0, 1]."""
        if previous is None:
            previous = torch.zeros(pose.shape[0], self.cfg.out_channels, *pose.shape[2:], device=pose.device)
        x = torch.cat([pose * 2 - 1, previous * 2 - 1], dim=1)
        return self.net(x) * 0.5 + 0.5

    def sequence(self, poses: list[torch.Tensor], previous: torch.Tensor | None = None) -> list[torch.Tensor]:
        """Generate consecutive frames, each conditioned on the one generated before it
        (no detach: training back-propagates through the feedback)."""
        out = []
        for pose in poses:
            previous = self(pose, previous)
            out.append(previous)
        return out
