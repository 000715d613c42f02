"""The warp-guided portrait generator: corrects a warped real crop instead of redrawing the face.

The DVP U-Net (networks.PortraitUNet) receives the conditioning window plus the source crop
warped to the target geometry (warp_input.py) and predicts a hallucinated image h, a soft
mask m and a residual r; the output is vid2vid's composition `m * h + (1 - m) * (warped + r)`.
Where the warp is right (skin, hair, background) m stays low and the source's full detail
passes through (corrected in shading by r); the network
spends itself on what moving cannot give (mouth interior, eyelids, shading, disocclusions).
The mask's bias starts low, so an untrained model already outputs (nearly) the warp.

With an edit region (the preset's `edit_region`) the input carries one more channel, the soft
mask of the target's mouth and eyes (`warp_input.edit_region`), and the network may draw only
there: `m` is multiplied by it, and the residual is averaged over `residual_pool`-px cells
(a colour and shading field, never texture). Why: trained for minutes on one clip, a network
free to redraw the whole face learns a blurred likeness of its training frames, and an edit
comes out soft and ghosted (a hand seen near the face reappears); the warp keeps the frame's
own detail everywhere the edit only moves it, and only an opened mouth and a closing eye show
what the source frame does not.

With `flow_px` the head also predicts a smooth displacement field (at most `flow_px` crop px,
averaged like the residual) that resamples the warped crop before composing: the landmark warp
misplaces hair, ears, shoulders and the face's outline by a few pixels, and moving the real
pixels by a learnt field corrects that without redrawing them.

Convention: input (B, 9 * N_w + 3 [+ 1], S, S) in [0, 1], the warped crop after the window (then
the edit region); output (B, 3, S, S) in [-1, 1] (image = (out + 1) / 2), as PortraitUNet's.
"""

from __future__ import annotations

from dataclasses import replace

import torch
import torch.nn.functional as F
from torch import nn

from render_core.families.portrait.config import PortraitPreset
from render_core.families.portrait.networks import PortraitNetConfig, PortraitUNet, net_config

WARP_CHANNELS = 3
REGION_CHANNELS = 1
HEAD_CHANNELS = 7  # hallucinated RGB, mask logit, residual RGB (then a displacement x, y)
FLOW_CHANNELS = 2
MASK_BIAS = -3.0  # sigmoid(-3) = 0.047: the output starts close to the warped crop


class WarpGuidedUNet(PortraitUNet):
    """PortraitUNet whose head predicts (h, mask logit, residual r) and composes them over the
    warped input: `m * h + (1 - m) * (warped + r)`. Why the residual: its gradient reaches the
    head undamped from the first step (the mask's passes through a sigmoid held near 0), so
    shading and small misplacements of the warp are corrected within a CPU preview's steps."""

    def __init__(
        self, cfg: PortraitNetConfig, region: bool = False, residual_pool: int = 1, flow_px: float = 0.0
    ) -> None:
        super().__init__(cfg)
        self.region = region
        self.residual_pool = max(1, int(residual_pool))
        self.flow_px = float(flow_px)
        first = min(cfg.base, cfg.max_ch)
        head = nn.ConvTranspose2d(2 * first, HEAD_CHANNELS + (FLOW_CHANNELS if flow_px > 0 else 0), 4, 2, 1)
        nn.init.normal_(head.weight, 0.0, 0.02)
        nn.init.zeros_(head.bias)
        with torch.no_grad():
            head.weight[:, 4:] = 0.0  # residual and displacement start at 0: the output is the warp
            head.bias[3] = MASK_BIAS
        self.out = head

    def _smooth(self, t: torch.Tensor) -> torch.Tensor:
        p = self.residual_pool
        if p > 1 and t.shape[-1] % p == 0 and t.shape[-2] % p == 0:
            return F.interpolate(F.avg_pool2d(t, p), scale_factor=p, mode="bilinear", align_corners=False)
        return t

    def heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """x: (B, in_ch, S, S) -> (hallucinated in [-1, 1], mask (B, 1, S, S) in [0, 1],
        residual in [-1, 1], displacement (B, 2, S, S) crop px (x, y) or None) before composing."""
        raw = super().forward(x)
        m, r = torch.sigmoid(raw[:, 3:4]), self._smooth(torch.tanh(raw[:, 4:7]))
        if self.region:
            m = m * x[:, -REGION_CHANNELS:]
        flow = self._smooth(torch.tanh(raw[:, 7:9]) * self.flow_px) if self.flow_px > 0 else None
        return torch.tanh(raw[:, :3]), m, r, flow

    def warped(self, x: torch.Tensor) -> torch.Tensor:
        """The warped crop of input x, in [0, 1]."""
        end = x.shape[1] - (REGION_CHANNELS if self.region else 0)
        return x[:, end - WARP_CHANNELS : end]

    def compose(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x: (B, in_ch, S, S) -> (output, mask, hallucinated), images in [-1, 1]."""
        h, m, r, flow = self.heads(x)
        warped = self.warped(x) * 2 - 1
        if flow is not None:
            warped = displace(warped, flow)
        return m * h + (1 - m) * (warped + r), m, h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, in_ch, S, S) -> (B, 3, S, S) in [-1, 1]."""
        return self.compose(x)[0]


def displace(image: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """image (B, C, S, S) resampled at each pixel plus `flow` (B, 2, S, S) px (x, y), bilinear,
    borders repeated: out(p) = image(p + flow(p))."""
    b, _, h, w = image.shape
    ys, xs = torch.meshgrid(
        torch.arange(h, device=image.device, dtype=image.dtype),
        torch.arange(w, device=image.device, dtype=image.dtype),
        indexing="ij",
    )
    gx = (2 * (xs + flow[:, 0]) + 1) / w - 1  # align_corners=False: pixel centres
    gy = (2 * (ys + flow[:, 1]) + 1) / h - 1
    grid = torch.stack([gx, gy], dim=-1)
    return F.grid_sample(image, grid, mode="bilinear", padding_mode="border", align_corners=False)


def build_generator(
    cfg: PortraitNetConfig,
    warp_input: bool,
    region: bool = False,
    residual_pool: int = 1,
    flow_px: float = 0.0,
) -> PortraitUNet:
    """The generator: warp-guided (its input widened by the warped crop, and by the edit region
    with `region`) or the conditioning-only DVP U-Net of checkpoints trained before the warp
    input existed."""
    if not warp_input:
        return PortraitUNet(cfg)
    extra = WARP_CHANNELS + (REGION_CHANNELS if region else 0)
    return WarpGuidedUNet(replace(cfg, in_ch=cfg.in_ch + extra), region, residual_pool, flow_px)


def generator_for(preset: PortraitPreset) -> PortraitUNet:
    """The generator a preset (or a checkpoint's stored config) trains and renders; configs
    stored before a setting existed keep its default."""
    return build_generator(
        net_config(preset),
        bool(getattr(preset, "warp_input", False)),
        bool(getattr(preset, "edit_region", False)),
        int(getattr(preset, "residual_pool", 1)),
        float(getattr(preset, "flow_px", 0.0)),
    )
