"""The novel-view family's settings (DeepVoxels): the config dataclass and the named presets.
Convention: `resolution` is the model image height; the width follows the capture's aspect
(a multiple of 8); the frustum the renderer samples is half the model resolution."""

from __future__ import annotations

from dataclasses import dataclass

from render_core.training.family import BasePreset

# The edit kinds the family's renderer draws.
EDIT_KINDS = frozenset({"viewpoint"})


@dataclass(frozen=True)
class NovelViewConfig(BasePreset):
    """grid: voxels per side of the scene box; feat: 2D feature channels lifted into it;
    voxel: channels of the persistent grid (the GRU's hidden state); depth_samples: samples
    along each ray of the target frustum; n_sources: views lifted per step (the target's
    nearest training view and others around the orbit, `step.source_views`); lambda_gan:
    weight of the least-squares adversarial term on rendered views (0 = L1 only: a short CPU
    run does not profit from it); ndf: the discriminator's base width; guide_views: captured
    views nearest the rendered one reprojected into it through the resolved depth and blended
    with the grid's image (`guided`; 0 = the grid's image alone, as older checkpoints drew);
    blend_ch: the width of the net that weighs them."""

    resolution: int = 64
    grid: int = 24
    feat: int = 16
    voxel: int = 16
    depth_samples: int = 32
    render_ch: int = 32
    n_sources: int = 4
    lambda_l1: float = 1.0
    lambda_gan: float = 0.0
    ndf: int = 16
    guide_views: int = 0
    blend_ch: int = 24
    heldout_every: int = 8  # the LLFF convention: every 8th view is held out


CPU_PREVIEW = NovelViewConfig(
    resolution=64, grid=20, feat=16, voxel=16, depth_samples=24, render_ch=32, lr=1e-3, beta1=0.9,
    guide_views=2, autocast=False, eval_every=100, sample_every=50, checkpoint_every=200, eval_frames=9,
)  # fmt: skip
GPU_QUALITY = NovelViewConfig(
    resolution=256, grid=32, feat=32, voxel=32, depth_samples=64, render_ch=64, lr=4e-4, beta1=0.9,
    guide_views=2, lambda_gan=0.01, checkpoint_every=1000, eval_every=1000, sample_every=500,
    default_minutes=120.0,
)  # fmt: skip

PRESETS: dict[str, NovelViewConfig] = {"cpu-preview": CPU_PREVIEW, "gpu-quality": GPU_QUALITY}
