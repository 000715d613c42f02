"""The body family's settings (Everybody Dance Now): the config dataclass and the named
presets. Convention: `resolution` is the model height, `width` its width (both divisible by
2**n_down)."""

from __future__ import annotations

from dataclasses import dataclass

from render_core.training.family import BasePreset

# The edit kinds the family's renderer draws.
EDIT_KINDS = frozenset({"body_pose", "transfer_body"})


@dataclass(frozen=True)
class BodyConfig(BasePreset):
    """Generator/discriminator widths, loss weights and face stage of one body preset.
    lambda_l1 stands in for the paper's VGG loss (the presets weigh it 100, as pix2pix does);
    lambda_perceptual weighs the user's hook (`training.inputs.PERCEPTUAL_LOSS`); shift_augment:
    random translation of each training pair by at most this share of the model width (0 =
    none), until `shift_until` of the budget; it trades held-out fit for poses the clip never
    shows (docs/presets.md)."""

    resolution: int = 160
    width: int = 96
    batch_size: int = 2
    ngf: int = 16
    n_down: int = 3
    n_blocks: int = 4
    max_channels: int = 128
    ndf: int = 16
    d_layers: int = 3
    d_scales: int = 2
    lambda_gan: float = 1.0
    lambda_fm: float = 10.0
    lambda_l1: float = 10.0
    lambda_perceptual: float = 0.0
    lambda_ssim: float = 0.0  # x (1 - SSIM) of each frame, a weight-free structural term
    face_start: float = 0.85
    face_size: int = 32
    face_box_scale: float = 2.2
    face_ngf: int = 16
    face_n_down: int = 2
    face_n_blocks: int = 2
    face_ndf: int = 16
    shift_augment: float = 0.0
    shift_until: float = 1.0  # share of the budget (progress) after which pairs are not shifted
    # Warp-guided generator (families/body/warp_input.py): G also sees a real frame moved to the
    # target skeleton and predicts a hallucination mask. Training sources lie up to
    # `source_offset` training frames from the target (`source_same`: share that use the target
    # itself); `lambda_mask` x the mean mask prefers the moved real pixels where they fit.
    # False (checkpoints from before): pose and previous output only.
    warp_input: bool = False
    source_offset: int = 60
    source_same: float = 0.15
    lambda_mask: float = 1.0
    # > 1: the generator's change to the moved frame is a colour field over cells of this many
    # px (networks.BodyGenerator); 1 (checkpoints from before): per pixel.
    correction_pool: int = 1
    # False: the generator does not see its previous output (networks.BodyGeneratorConfig).
    feedback: bool = True


EDIT_FRAMES = 24  # held-out frames the report renders with the reference edit
UNSEEN_POSE_SHIFT = 0.06  # shift_augment of the studio's "for poses the clip never shows" option


# Why these values: docs/presets.md.
CPU_PREVIEW = BodyConfig(
    resolution=256, width=160, batch_size=1, ngf=16, max_channels=256, lambda_l1=100.0,
    lr_decay_from=0.5, face_start=0.9, autocast=False, gan_start=0.6, lambda_ssim=200.0, lr=5e-4,
    warp_input=True, correction_pool=4, feedback=False, source_offset=8,
)  # fmt: skip
GPU_QUALITY = BodyConfig(
    resolution=512, width=256, batch_size=4, ngf=64, n_down=4, n_blocks=9, max_channels=1024, ndf=64,
    d_layers=3, d_scales=2, face_size=128, face_ngf=32, face_n_down=3, face_n_blocks=5, face_ndf=64,
    lambda_l1=100.0, lr_decay_from=0.5,
    checkpoint_every=1000, eval_every=1000, sample_every=500, default_minutes=120.0, warp_input=True,
    correction_pool=4, feedback=False, source_offset=8,
)  # fmt: skip

PRESETS: dict[str, BodyConfig] = {"cpu-preview": CPU_PREVIEW, "gpu-quality": GPU_QUALITY}
