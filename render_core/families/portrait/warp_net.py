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

Neither composition suits every clip: on studio-lit footage the free network gains 1-3 dB over
the warp on the face, on home footage it draws a blurred likeness and ghosts. With `pick` (the
presets) the input carries the edit region, one network trains both compositions from the same
heads, and the held-out report keeps the free one only where it scores clearly better on the
faces (`eval.choose_composition`); the choice is a buffer of the network, so the checkpoint
carries it with the weights. With `by_change` (the presets) the network never sees the region:
it trains on whole regions and renders through one opened as far as the edit reshapes the mouth
and each eye (`warp_input.GuidedInput`), so a head turn keeps the frame's own mouth.

Convention: input (B, 9 * N_w + 3 [+ 1], S, S) in [0, 1], the warped crop after the window (then
the edit region); output (B, 3, S, S) in [-1, 1] (image = (out + 1) / 2), as PortraitUNet's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from torch import nn

from render_core.families.portrait.config import PortraitPreset
from render_core.families.portrait.networks import PortraitNetConfig, PortraitUNet, net_config
from render_core.families.portrait.warp_input import GuidedInput
from render_core.models.blocks import cell_field

WARP_CHANNELS = 3
REGION_CHANNELS = 1
HEAD_CHANNELS = 7  # hallucinated RGB, mask logit, residual RGB
MASK_BIAS = -3.0  # sigmoid(-3) = 0.047: the output starts close to the warped crop
Composed = tuple[torch.Tensor, torch.Tensor]  # (output, mask)


@dataclass(frozen=True)
class Drawing:
    """How a warp-guided generator draws (the preset's fields of the same meaning): `region`
    fixes the edit-region composition, whose residual is averaged over `residual_pool` px;
    `pick` (without `region`) trains it and the free one and lets the held-out report choose;
    `by_change` and `border`: its input (`warp_input.GuidedInput`); `resize_head`: the head's
    last doubling by nearest neighbours and a 3x3 convolution instead of a transposed one."""

    region: bool = False
    residual_pool: int = 1
    pick: bool = False
    by_change: bool = False
    border: float = GuidedInput.border
    resize_head: bool = False


class WarpGuidedUNet(PortraitUNet):
    """PortraitUNet whose head predicts (h, mask logit, residual r) and composes them over the
    warped input: `m * h + (1 - m) * (warped + r)`. Why the residual: its gradient reaches the
    head undamped from the first step (the mask's passes through a sigmoid held near 0), so
    shading and small misplacements of the warp are corrected within a CPU preview's steps."""

    def __init__(self, cfg: PortraitNetConfig, spec: Drawing = Drawing()) -> None:
        has_region = spec.region or spec.pick
        # With `by_change` the U-Net does not see the region channel: it only limits the drawing
        blind = has_region and spec.by_change
        super().__init__(replace(cfg, in_ch=cfg.in_ch - REGION_CHANNELS) if blind else cfg)
        self.cfg = cfg  # the input's width (the discriminator's input is the input and a frame)
        self.pick = spec.pick and not spec.region
        self.region = has_region  # the input carries the edit region
        self.inputs = GuidedInput(float(spec.border), self.region, blind)
        self.residual_pool = max(1, int(spec.residual_pool))
        resize_head = spec.resize_head
        if self.pick:  # which composition renders: the free one until the held-out report chooses
            self.register_buffer("draws_region", torch.tensor(False))
        first = min(cfg.base, cfg.max_ch)
        if resize_head:  # nearest-neighbour doubling, then a 3x3 convolution: no checkerboard
            conv = nn.Conv2d(2 * first, HEAD_CHANNELS, 3, 1, 1)
            head = nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), conv)
        else:
            conv = head = nn.ConvTranspose2d(2 * first, HEAD_CHANNELS, 4, 2, 1)
        w = conv.weight
        nn.init.normal_(w, 0.0, 0.02)
        nn.init.zeros_(conv.bias)
        with torch.no_grad():  # the residual starts at 0: the output starts as the warp
            (w[4:] if resize_head else w[:, 4:]).zero_()
            conv.bias[3] = MASK_BIAS
        self.out = head

    def in_region(self) -> bool:
        """Whether the rendering composition is the edit-region one."""
        return bool(self.draws_region) if self.pick else self.region

    def set_composition(self, region: bool) -> None:
        """Render with the edit-region composition (True) or the free one (a `pick` model)."""
        self.draws_region.fill_(bool(region))

    def _heads(self, raw: torch.Tensor, x: torch.Tensor, region: bool):
        m, r = torch.sigmoid(raw[:, 3:4]), torch.tanh(raw[:, 4:7])
        if region:
            m, r = m * x[:, -REGION_CHANNELS:], cell_field(r, self.residual_pool)
        return torch.tanh(raw[:, :3]), m, r

    def _raw(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x[:, :-REGION_CHANNELS] if self.inputs.by_change else x)

    def heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x: (B, in_ch, S, S) -> (hallucinated in [-1, 1], mask (B, 1, S, S) in [0, 1],
        residual in [-1, 1]) of the rendering composition, before composing."""
        return self._heads(self._raw(x), x, self.in_region())

    def warped(self, x: torch.Tensor) -> torch.Tensor:
        """The warped crop of input x, in [0, 1]."""
        end = x.shape[1] - (REGION_CHANNELS if self.region else 0)
        return x[:, end - WARP_CHANNELS : end]

    def _compose(self, x: torch.Tensor, h: torch.Tensor, m: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        return m * h + (1 - m) * (self.warped(x) * 2 - 1 + r)

    def compose(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x: (B, in_ch, S, S) -> (output, mask, hallucinated), images in [-1, 1]."""
        h, m, r = self.heads(x)
        return self._compose(x, h, m, r), m, h

    def both(self, x: torch.Tensor) -> tuple[Composed, Composed]:
        """A `pick` model's two compositions from one pass: ((free output, its mask), (edit-region
        output, its mask)), images in [-1, 1]."""
        raw = self._raw(x)
        out = []
        for region in (False, True):
            h, m, r = self._heads(raw, x, region)
            out.append((self._compose(x, h, m, r), m))
        return out[0], out[1]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, in_ch, S, S) -> (B, 3, S, S) in [-1, 1]."""
        return self.compose(x)[0]


def build_generator(cfg: PortraitNetConfig, warp_input: bool, spec: Drawing = Drawing()) -> PortraitUNet:
    """The generator: warp-guided, drawing as `spec` says (its input widened by the warped crop,
    and by the edit region with `spec.region` or `spec.pick`), or the conditioning-only DVP
    U-Net of checkpoints trained before the warp input existed."""
    if not warp_input:
        return PortraitUNet(cfg)
    extra = WARP_CHANNELS + (REGION_CHANNELS if spec.region or spec.pick else 0)
    return WarpGuidedUNet(replace(cfg, in_ch=cfg.in_ch + extra), spec)


def generator_for(preset: PortraitPreset) -> PortraitUNet:
    """The generator a preset (or a checkpoint's stored config) trains and renders; configs
    stored before a setting existed keep its default."""
    return build_generator(
        net_config(preset),
        bool(getattr(preset, "warp_input", False)),
        Drawing(
            bool(getattr(preset, "edit_region", False)),
            int(getattr(preset, "residual_pool", 1)),
            bool(getattr(preset, "pick_composition", False)),
            bool(getattr(preset, "region_by_change", False)),
            float(getattr(preset, "warp_border", GuidedInput.border)),
            bool(getattr(preset, "resize_head", False)),
        ),
    )
