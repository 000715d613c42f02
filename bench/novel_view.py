"""Novel-view family (DeepVoxels) benchmark.

Speed of the cpu-preview preset on the shared LLFF head set (C_ethiopianHead_llff): ms per
training step (lift two views, GRU, 3D U-Net, render one view, backward), ms per rendered
frame from the stored grid alone, and frames/s of a 120-frame orbit written at 256 px
(target: >= 10 frames/s; memory stays one frame whatever the path's length).

Run: `python main.py bench novel_view` or `.venv/bin/python -m bench.novel_view [--checkpoint DIR]`.
Without a checkpoint the model is untrained: timing only.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from render_core.families.novel_view.config import CPU_PREVIEW
from render_core.families.novel_view.data import load_views
from render_core.families.novel_view.networks import DeepVoxels
from render_core.families.novel_view.sampling import CoordCache
from render_core.families.novel_view.step import train_step
from render_core.jobs import null_context
from render_core.project.capture import read_capture
from render_core.samples import footage_dir

SET = "C_ethiopianHead_llff"
ORBIT_FRAMES = 120
ORBIT_HEIGHT = 256


class _Untrained:
    """The renderer's `render_camera` over a fresh model (no checkpoint needed for timing)."""

    def __init__(self, model: DeepVoxels, cache: CoordCache, size: tuple[int, int]) -> None:
        from render_core.families.novel_view.renderer import NovelViewRenderer

        r = NovelViewRenderer.__new__(NovelViewRenderer)
        r.model, r.cache, r.size, r.cfg = model.eval(), cache, size, CPU_PREVIEW
        with torch.no_grad():
            r.scene = model.scene()
        self.r = r

    def render_camera(self, cam):
        return self.r.render_camera(cam)


def _median_ms(fn, reps: int) -> float:
    fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * float(np.median(times))


def heldout(checkpoint: str) -> dict:
    """The checkpoint's full held-out report (baselines included), recomputed; its contact
    sheet is rewritten beside the checkpoint."""
    from render_core.families.novel_view.family import NovelViewFamily
    from render_core.families.novel_view.renderer import load_renderer
    from render_core.training.device import select_device
    from render_core.training.family import RunState
    from render_core.training.trainer import TrainConfig

    r = load_renderer(checkpoint, "cpu")
    fam = NovelViewFamily()
    run_cfg = TrainConfig("novel_view", [Path(r.meta["capture"])], Path(checkpoint))
    data = fam.load_data(r.cfg, run_cfg, null_context())
    s = RunState(r.cfg, data, {"G": r.model}, {}, select_device("cpu"), np.random.default_rng(0))
    return fam.evaluate(s, True, null_context())


def run(args=None, ctx=None, checkpoint: str | None = None, steps: int = 8) -> dict:
    from render_core.edits.timeline import EditTimeline
    from render_core.families.registry import load_renderer
    from render_core.media.encode import VideoWriter
    from render_core.render.camera_path import path_cameras, render_path

    torch.set_num_threads(1)
    checkpoint = checkpoint or getattr(args, "checkpoint", None)
    capture = read_capture(footage_dir() / SET)
    cfg = CPU_PREVIEW
    views = load_views(capture, cfg, null_context())
    model = DeepVoxels(cfg)
    opt = torch.optim.Adam(model.parameters(), cfg.lr)
    cache = CoordCache(views.box, cfg.grid, cfg.depth_samples)
    rng = np.random.default_rng(0)
    step_ms = _median_ms(
        lambda: train_step(model, opt, cache, views, int(rng.choice(views.train)), cfg), steps
    )
    renderer = (
        load_renderer("novel_view", checkpoint, "cpu") if checkpoint else _Untrained(model, cache, views.size)
    )
    cams = path_cameras(capture, ORBIT_FRAMES, ORBIT_HEIGHT)
    frame_ms = _median_ms(lambda: renderer.render_camera(cams[1]), 10)
    with tempfile.TemporaryDirectory() as tmp:
        w, h = cams[0].size
        writer = VideoWriter(Path(tmp) / "orbit.mp4", 30, w, h, preset="ultrafast")
        t = time.perf_counter()
        render_path(renderer, cams, EditTimeline(), writer, null_context())
        writer.close()
        orbit_s = time.perf_counter() - t
    out = {
        "preset": "cpu-preview",
        "model_size": list(views.size),
        "grid": cfg.grid,
        "ms_per_step": round(step_ms, 1),
        "ms_per_frame": round(frame_ms, 1),
        "orbit_frames": ORBIT_FRAMES,
        "orbit_height": ORBIT_HEIGHT,
        "orbit_fps": round(ORBIT_FRAMES / orbit_s, 2),
        "trained": bool(checkpoint),
    }
    if checkpoint:
        out.update({f"heldout_{k}": round(v, 3) for k, v in heldout(checkpoint).items()})
    for k, v in out.items():
        print(f"{k}: {v}")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--checkpoint", help="a trained novel_view checkpoint directory")
    run(p.parse_args())


if __name__ == "__main__":
    main()
