"""One DeepVoxels training step and the view rendering shared by evaluation and the renderer.

A step (as in the paper): lift the features of source training views (`source_views`) into the
grid through their cameras, integrate them with the GRU into the persistent grid, run the 3D
U-Net, render the target view through its frustum, occlusion and rendering nets, L1 against
the real view (plus a modest least-squares adversarial term where the preset asks for one);
the updated grid is kept (detached) for the next step. Where the preset guides with captured
views (`guided`), the target's nearest training views are reprojected through the resolved
depth and blended with the grid's image; both the blend and the grid's image are scored.

Convention: images (B, 3, H, W) float32 RGB [0, 1]; features and frusta at half the model
resolution (the rendering net doubles it).
"""

from __future__ import annotations

import numpy as np
import torch

from render_core.families.novel_view.config import NovelViewConfig
from render_core.families.novel_view.data import guide_choice
from render_core.families.novel_view.guided import Guides, guided_view
from render_core.families.novel_view.networks import DeepVoxels
from render_core.families.novel_view.sampling import CoordCache, depth_range, frustum_coords, lift
from render_core.geometry.cameras import scale_intrinsics
from render_core.training.family import frozen


def half(size: tuple[int, int]) -> tuple[int, int]:
    return size[0] // 2, size[1] // 2


def view_rays(cache: CoordCache, views, idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    """Cached frustum coords (B, D, h, w, 3) and normalized depths (D,) of capture views `idx`."""
    out = [
        cache.rays(
            int(i), views.world_to_camera[i], scale_intrinsics(views.intrinsics[i], 0.5), half(views.size)
        )
        for i in idx
    ]
    return torch.stack([c for c, _ in out]), out[0][1]


def camera_rays(cache: CoordCache, w2c: np.ndarray, k: np.ndarray, size: tuple[int, int]):
    """Frustum coords (1, D, h, w, 3) and depths of any camera (K in px of a (w, h) image)."""
    c, d = frustum_coords(cache.box, w2c, scale_intrinsics(k, 0.5), half(size), cache.samples)
    return c[None], d


def lifted(
    model: DeepVoxels, cache: CoordCache, views, sources: np.ndarray
) -> tuple[torch.Tensor, torch.Tensor]:
    """Features of views `sources` lifted into the grid: mean (C, n, n, n) and coverage (1, n, n, n)."""
    feats = model.features(views.images[sources])
    coords = torch.stack(
        [
            cache.lifting(
                int(i), views.world_to_camera[i], scale_intrinsics(views.intrinsics[i], 0.5), half(views.size)
            )
            for i in sources
        ]
    )
    return lift(feats, coords)


def source_views(views, target: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """The views lifted for `target`: its nearest training view plus n - 1 others drawn at
    random around the orbit. Why not only near ones: the grid persists between steps and is
    all that renders at test time; views from all sides in every update keep it consistent
    for every direction instead of holding the last-trained side."""
    near = views.nearest_train(target, 1)
    rest = views.train[(views.train != target) & (views.train != near[0])]
    return np.concatenate([near, rng.choice(rest, size=min(n - 1, len(rest)), replace=False)])


def capture_guides(views, target: int, n: int) -> Guides:
    """The n training views nearest view `target` (itself excluded) at the model resolution,
    with their priors (`data.guide_choice`)."""
    w2c = views.world_to_camera
    idx, prior = guide_choice(w2c, w2c[target], views.train[views.train != target], n)
    return Guides(views.images[idx], w2c[idx], views.intrinsics[idx], prior)


def draw_capture_view(
    model: DeepVoxels, scene: torch.Tensor, cache: CoordCache, views, target: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """View `target` (1, 3, H, W) as the model draws it (guided by the nearest training views
    where the preset asks), and the grid's own image of it."""
    coords, depths = view_rays(cache, views, np.array([target]))
    rendered, depth = model.render_views(scene, coords, depths)
    if model.blend is None:
        return rendered, rendered
    w2c = views.world_to_camera[target]
    guides = capture_guides(views, target, model.blend_views)
    near_far = depth_range(cache.box, w2c)
    return guided_view(
        model.blend, rendered, depth, near_far, w2c, views.intrinsics[target], guides
    ), rendered


def train_step(
    model: DeepVoxels,
    opt: torch.optim.Optimizer,
    cache: CoordCache,
    views,
    target: int,
    cfg: NovelViewConfig,
    rng: np.random.Generator | None = None,
    disc: tuple[torch.nn.Module, torch.optim.Optimizer] | None = None,
) -> dict[str, float]:
    """One update on training view `target`; returns the losses. `disc`: the discriminator
    and its optimizer where the preset weighs an adversarial term."""
    rng = rng or np.random.default_rng(target)
    sources = source_views(views, target, cfg.n_sources, rng)
    feat, seen = lifted(model, cache, views, sources)
    grid = model.integrate(feat, seen)
    fake, rendered = draw_capture_view(model, model.scene(grid), cache, views, target)
    real = views.images[[target]]
    l1 = (fake - real).abs().mean()
    # The grid's own image keeps its L1 too: it fills what no captured view sees, and it is
    # what renders when the capture's images are gone.
    l1_grid = (rendered - real).abs().mean()
    loss = cfg.lambda_l1 * (l1 + l1_grid if model.blend is not None else l1)
    if disc is not None:
        with frozen(disc[0]):
            adv = ((disc[0](fake) - 1) ** 2).mean()
        loss = loss + cfg.lambda_gan * adv
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    with torch.no_grad():
        model.state.copy_(grid.detach())
    out = {"l1": float(l1.detach()), "l1_grid": float(l1_grid.detach())}
    if disc is not None:
        out.update(adv=float(adv.detach()), d=discriminator_step(disc[0], disc[1], real, fake.detach()))
    return out


def discriminator_step(
    d: torch.nn.Module, opt: torch.optim.Optimizer, real: torch.Tensor, fake: torch.Tensor
) -> float:
    """One least-squares GAN update of the image discriminator; returns its loss."""
    loss = 0.5 * (((d(real) - 1) ** 2).mean() + (d(fake) ** 2).mean())
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return float(loss.detach())


@torch.no_grad()
def render_capture_views(model: DeepVoxels, cache: CoordCache, views, idx: np.ndarray) -> list[np.ndarray]:
    """The model's images (H, W, 3) of capture views `idx`, from the stored grid (and the
    training views nearest each, where the preset guides with them)."""
    scene = model.scene()
    return [draw_capture_view(model, scene, cache, views, int(i))[0][0].permute(1, 2, 0).numpy() for i in idx]
