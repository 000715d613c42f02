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

from render_core.models.blocks import ConvNormAct, ResBlock, cell_field, init_weights, make_norm


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
    # 3: G also sees the frame warped to the target skeleton and predicts a hallucination mask
    # (vid2vid's composition, DESIGN.md section 4); 0: pose and previous output only.
    warp_channels: int = 0
    # > 1: what G changes of the warped frame is averaged over cells of this many px (a colour
    # and shading field): the moved real pixels keep their texture (`BodyGenerator.parts`).
    correction_pool: int = 1
    # False: G never sees its previous output (zeros in its place). Why for a warp-guided G: the
    # moved real frames already follow one another; fed back over a long sequence, its own
    # output drifted (B_musepose held-out: 28.9 dB with feedback, 31.0 without, the same model).
    feedback: bool = True


MASK_BIAS = -3.0  # the mask starts near 0: an untrained G passes the warped pixels through


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
    """G(pose_t, generated_{t-1}[, warped_t]) -> frame_t. With warp input the network outputs a
    hallucinated frame h and a mask m and returns m * h + (1 - m) * warped."""

    def __init__(self, cfg: BodyGeneratorConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg = cfg or BodyGeneratorConfig()
        in_ch = cfg.pose_channels + cfg.out_channels + cfg.warp_channels
        out_ch = cfg.out_channels + (1 if cfg.warp_channels else 0)
        self.net = global_generator(in_ch, out_ch, cfg.ngf, cfg.n_down, cfg.n_blocks, cfg.max_channels)
        if cfg.warp_channels:
            last = [m for m in self.net if isinstance(m, nn.Conv2d)][-1]
            with torch.no_grad():
                last.bias[cfg.out_channels :] = MASK_BIAS

    @property
    def warp_guided(self) -> bool:
        return self.cfg.warp_channels > 0

    def parts(
        self, pose: torch.Tensor, previous: torch.Tensor | None = None, warped: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(frame (B, 3, H, W) in [0, 1], mask (B, 1, H, W) in [0, 1] or None without warp input).
        pose: stick figure; previous: last generated frame or None (start of a sequence: zeros);
        warped: the frame warped to this pose (required with warp input)."""
        zeros = torch.zeros(pose.shape[0], self.cfg.out_channels, *pose.shape[2:], device=pose.device)
        previous = zeros if previous is None or not self.cfg.feedback else previous
        inputs = [pose * 2 - 1, previous * 2 - 1]
        if self.warp_guided:
            if warped is None:
                raise ValueError("BodyGenerator: this generator needs the warped frame")
            inputs.append(warped * 2 - 1)
        y = self.net(torch.cat(inputs, dim=1)) * 0.5 + 0.5
        if not self.warp_guided:
            return y, None
        c = self.cfg.out_channels
        m = y[:, c:]
        out = m * y[:, :c] + (1 - m) * warped
        # Why a field: trained for minutes on one clip, a generator free to redraw the person
        # learns a blurred likeness of its training frames, which on frames it never saw came out
        # 4-5 dB below the moved pixels alone, smeared and flickering (docs/performance.md).
        out = warped + cell_field(out - warped, self.cfg.correction_pool)
        return out, m

    def forward(
        self, pose: torch.Tensor, previous: torch.Tensor | None = None, warped: torch.Tensor | None = None
    ) -> torch.Tensor:
        """(B, 3, H, W) in [0, 1]; see `parts`."""
        return self.parts(pose, previous, warped)[0]

    def sequence(
        self,
        poses: list[torch.Tensor],
        previous: torch.Tensor | None = None,
        warped: list[torch.Tensor] | None = None,
        masks: list | None = None,
    ) -> list[torch.Tensor]:
        """Generate consecutive frames, each conditioned on the one generated before it
        (no detach: training back-propagates through the feedback); each frame's mask is
        appended to `masks` when given."""
        out = []
        for i, pose in enumerate(poses):
            previous, m = self.parts(pose, previous, None if warped is None else warped[i])
            out.append(previous)
            if masks is not None:
                masks.append(m)
        return out
