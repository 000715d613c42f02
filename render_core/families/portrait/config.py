"""The portrait family's settings (Deep Video Portraits): the preset dataclass and the named
presets. Why the cpu-preview values are what they are: docs/presets.md."""

from __future__ import annotations

from dataclasses import dataclass

from render_core.training.family import BasePreset

# The edit kinds the family's renderer draws.
EDIT_KINDS = frozenset({"expression", "head_pose", "gaze", "reenact_face"})


@dataclass(frozen=True)
class PortraitPreset(BasePreset):
    """n_w: frames in the conditioning window; g_*: the U-Net (base width, widest, levels,
    refinement convs, dropout); d_*: the PatchGAN; w_adv / w_l1: loss weights (paper: 1 / 100);
    crop_alpha / crop_slack: the face crop's smoothing (`crop.CropSmoother`), the same in
    training and rendering: EMA weight of a new frame, and the drift (crop sides) past which
    the crop catches up (the presets hold the crop still)."""

    n_w: int = 11
    g_base: int = 64
    g_max: int = 512
    g_depth: int = 8
    g_refine: int = 1
    dropout: float = 0.5
    d_base: int = 64
    d_layers: int = 3
    w_adv: float = 1.0
    w_l1: float = 100.0
    perceptual_weight: float = 0.0
    crop_alpha: float = 0.25
    crop_slack: float = 0.0
    # The generator starts from a real frame warped to the target geometry (warp_net.py) and
    # learns a correction and a mask; False = conditioning maps only (checkpoints trained before
    # the warp input: their stored config lacks the field and keeps this default).
    warp_input: bool = False
    # Training pairs (warp_input.source_positions): a source among the target's `pair_near`
    # nearest training samples by landmarks, or with probability `pair_far` anywhere in the clip
    # (half of those more closed-mouthed than the target).
    pair_near: int = 8
    pair_far: float = 0.3
    # ... and with probability `pair_adjacent` a frame beside the target (nearly aligned: as an
    # edited frame is to itself, so the model learns to keep a right warp's detail).
    pair_adjacent: float = 0.0
    # Weight of the mean mask (relative to w_l1 x L1): keeps the warped real pixels where they do.
    w_mask: float = 0.0
    # The network draws only in the edited face's mouth and eyes (warp_net.py), and its residual
    # is a colour field averaged over `residual_pool` px; False = anywhere, per pixel (checkpoints
    # trained before these settings). `KEEP_DETAIL` sets both.
    edit_region: bool = False
    residual_pool: int = 1
    # Train the free and the edit-region compositions together and keep the one that scores
    # better on the held-out faces (warp_net.py, eval.choose_composition); ignored with
    # `edit_region`, which fixes the edit-region one.
    pick_composition: bool = False
    # The network trains on whole edit regions without seeing them and renders through a region
    # opened part by part as far as the mouth and each eye change shape (`warp_input.GuidedInput`);
    # False = the network sees the region, always whole.
    region_by_change: bool = False
    # The anchor ring of the warp that moves the source crop (`warp_input.GuidedInput`), a share
    # of the face size: 0.3 for checkpoints trained before the presets narrowed it.
    warp_border: float = 0.3
    # The warp-guided head doubles its last map by nearest neighbours and a 3x3 convolution
    # instead of a transposed convolution (whose uneven overlaps print a dotted grid on drawn
    # teeth and lips); False for checkpoints trained before it.
    resize_head: bool = False


PRESETS: dict[str, PortraitPreset] = {
    "cpu-preview": PortraitPreset(
        resolution=128,
        batch_size=2,
        n_w=5,
        g_base=32,
        g_max=256,
        g_depth=7,
        g_refine=1,
        dropout=0.2,
        d_base=32,
        d_layers=3,
        w_adv=1.0,
        gan_start=0.8,  # L1 alone for the first 80% of the budget, then adversarial + L1
        crop_alpha=0.0,
        crop_slack=0.1,
        lr_decay_from=0.5,
        checkpoint_every=200,
        eval_every=200,
        sample_every=100,
        lr=6e-4,  # the warp-guided generator's corrections must be learnt in a few hundred steps
        warp_input=True,
        residual_pool=8,
        pick_composition=True,
        region_by_change=True,
        warp_border=0.1,  # the warp renderer's ring: the held-out faces' warp gains 1.6 dB on d18
    ),
    "gpu-quality": PortraitPreset(
        resolution=256,
        batch_size=4,
        n_w=11,
        g_base=64,
        g_max=512,
        g_depth=8,
        g_refine=2,
        dropout=0.5,
        d_base=64,
        d_layers=3,
        crop_alpha=0.0,
        crop_slack=0.1,
        lr_decay_from=0.5,
        default_minutes=60.0,
        checkpoint_every=1000,
        eval_every=1000,
        sample_every=250,
        max_train_frames=3000,
        warp_input=True,
        residual_pool=8,
        pick_composition=True,
        region_by_change=True,
        warp_border=0.1,  # the warp renderer's ring: the held-out faces' warp gains 1.6 dB on d18
    ),
}

# The studio's "keep the footage's detail" option and `--set edit_region=true residual_pool=8`:
# the network draws only in the mouth and eyes and shades the rest (warp_net.py). Sharp, no
# ghosts of hands seen near the face, but little gain over the warp (docs/presets.md).
KEEP_DETAIL = {"edit_region": True, "residual_pool": 8}
