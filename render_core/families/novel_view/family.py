"""The novel-view family's training (DeepVoxels) under the shared loop: the capture's views,
GRU-integrated grid, held-out report against the nearest input view and the plane
homography of the two nearest, contact sheet.

Convention: model images (B, 3, H, W) float32 RGB [0, 1]; OpenCV cameras.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from render_core.families.novel_view.config import PRESETS, NovelViewConfig
from render_core.families.novel_view.data import ViewSet, load_views
from render_core.families.novel_view.eval import contact_sheet, heldout_report, write_png
from render_core.families.novel_view.homography import homography_baseline
from render_core.families.novel_view.networks import DeepVoxels
from render_core.families.novel_view.sampling import CoordCache
from render_core.families.novel_view.step import render_capture_views, train_step
from render_core.jobs import JobContext
from render_core.models.patch_gan import PatchGAN, PatchGANConfig
from render_core.project.capture import read_capture
from render_core.training.family import Family, RunState
from render_core.training.inputs import adam


@dataclass
class NovelViewData:
    views: ViewSet
    cache: CoordCache
    capture_path: Path
    sheet_path: Path  # the held-out contact sheet, beside the checkpoint directory


def _numpy(images: torch.Tensor) -> list[np.ndarray]:
    return list(images.permute(0, 2, 3, 1).numpy())


class NovelViewFamily(Family):
    name = "novel_view"
    presets = PRESETS

    def load_data(self, cfg: NovelViewConfig, run, ctx: JobContext) -> NovelViewData:
        path = Path(run.clips[0])
        views = load_views(read_capture(path, ctx.sub(0.0, 0.2)), cfg, ctx.sub(0.2, 1.0))
        cache = CoordCache(views.box, cfg.grid, cfg.depth_samples)
        out = Path(run.out_dir)
        return NovelViewData(views, cache, path, out.with_name(out.name + ".heldout.png"))

    def build(self, cfg: NovelViewConfig, data: NovelViewData, dev):
        model = DeepVoxels(cfg).to(dev.device)
        models, opts = {"G": model}, {"g": adam(model.parameters(), cfg)}
        if cfg.lambda_gan > 0:
            d = PatchGAN(PatchGANConfig(in_ch=3, base=cfg.ndf, n_layers=2)).to(dev.device)
            models["D"], opts["d"] = d, adam(d.parameters(), cfg)
        return models, opts

    def train_step(self, s: RunState, step: int) -> dict[str, float]:
        v = s.data.views
        target = int(s.rng.choice(v.train))
        disc = (s.models["D"], s.opts["d"]) if "D" in s.models else None
        return train_step(s.models["G"], s.opts["g"], s.data.cache, v, target, s.cfg, s.rng, disc)

    def evaluate(self, s: RunState, final: bool, ctx: JobContext) -> dict[str, float]:
        v = s.data.views
        idx = v.heldout if final else v.heldout[: s.cfg.eval_frames]
        if len(idx) == 0:
            return {}
        fakes = render_capture_views(s.models["G"], s.data.cache, v, idx)
        reals = _numpy(v.images[idx])
        near = _numpy(v.images[[int(v.nearest_train(int(i))[0]) for i in idx]])
        masks = None if v.masks is None else [m[0].numpy() for m in v.masks[idx]]
        homog = [homography_baseline(v, int(i), v.nearest_train(int(i), 2)) for i in idx]
        rep = heldout_report(fakes, reals, near, masks, homog)
        if final:
            write_png(s.data.sheet_path, contact_sheet(reals, near, homog, fakes))
        return rep

    def sample(self, s: RunState) -> np.ndarray:
        v = s.data.views
        i = int(v.heldout[0]) if len(v.heldout) else int(v.train[0])
        fake = render_capture_views(s.models["G"], s.data.cache, v, np.array([i]))[0]
        near = _numpy(v.images[v.nearest_train(i)])[0]
        return np.concatenate([near, fake, _numpy(v.images[[i]])[0]], 1)

    def describe(self, cfg: NovelViewConfig, data: NovelViewData) -> dict:
        v = data.views
        return {
            "width": v.size[0],
            "height": v.size[1],
            "capture": str(data.capture_path),
            "box": {"center": v.box.center.tolist(), "radius": float(v.box.radius)},
            "train_views": v.train.tolist(),
            "heldout_views": v.heldout.tolist(),
            "contact_sheet": str(data.sheet_path),
        }
