"""Novel-view family (DeepVoxels) benchmark.

Speed of the cpu-preview preset on the shared LLFF head set (C_ethiopianHead_llff): ms per
training step (lift the source views, GRU, 3D U-Net, render one view, blend the nearest views
reprojected into it, backward), ms per rendered frame at the orbit's size with its FLOP/s
against the measured matmul ceiling, frames/s of a 120-frame orbit written at 256 px (target:
>= 10 frames/s; memory stays bounded whatever the path's length: the captured views are
decoded on demand into a bounded cache), the orbit's worst frame-to-frame jump over its median
change, and the peak resident memory. With a checkpoint, the held-out report at the model's
resolution and at 320 px through the renderer (`display_heldout`).

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
from torch.utils.flop_counter import FlopCounterMode

from bench.common import matmul_gflops, peak_rss_mb
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

    def __init__(self, model: DeepVoxels, cache: CoordCache, views) -> None:
        from render_core.families.novel_view.renderer import CapturedViews, NovelViewRenderer

        r = NovelViewRenderer.__new__(NovelViewRenderer)
        r.model, r.cache, r.size, r.cfg = model.eval(), cache, views.size, CPU_PREVIEW
        r.views = CapturedViews(views.capture, views.train) if model.blend is not None else None
        with torch.no_grad():
            r.scene = model.scene()
        self.r = r

    def render_camera(self, cam):
        return self.r.render_camera(cam)


class _Steadiness:
    """A video writer wrapper that keeps the mean absolute change between consecutive frames
    (one frame held: memory stays flat). Its largest over its median is the orbit's worst jump
    relative to its steady motion: 1 for an even pan; a view swapped in one frame reads higher."""

    def __init__(self, writer) -> None:
        self.writer, self.previous, self.changes = writer, None, []

    def write(self, frame: np.ndarray) -> None:
        if self.previous is not None:
            self.changes.append(float(np.abs(frame - self.previous).mean()))
        self.previous = np.array(frame, np.float32)
        self.writer.write(frame)

    def close(self) -> None:
        self.writer.close()

    def jump_ratio(self) -> float:
        return float(np.max(self.changes) / max(np.median(self.changes), 1e-9)) if self.changes else 0.0


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


DISPLAY_HEIGHT = 320


def display_heldout(checkpoint: str, height: int = DISPLAY_HEIGHT) -> dict:
    """What a viewer sees: the held-out views drawn through the renderer at `height` px
    (masked PSNR / SSIM) beside the model's image enlarged from its own resolution and the
    plane homography of the two nearest training views at that size; the contact sheet (real |
    enlarged model image | homography | renderer) is written beside the checkpoint."""
    import cv2

    from render_core.families.novel_view.data import nearest_cameras, read_view
    from render_core.families.novel_view.eval import contact_sheet, write_png
    from render_core.families.novel_view.homography import plane_blend
    from render_core.families.novel_view.renderer import load_renderer
    from render_core.geometry.cameras import scale_intrinsics
    from render_core.metrics.image import psnr, ssim
    from render_core.states import CameraState

    r = load_renderer(checkpoint, "cpu")
    cap = read_capture(Path(r.meta["capture"]))
    size = (int(round(height * cap.size[0] / cap.size[1])), height)
    sx, sy = size[0] / cap.size[0], size[1] / cap.size[1]
    train = np.asarray(r.meta["train_views"])
    cols: dict[str, list[np.ndarray]] = {"real": [], "enlarged": [], "homography": [], "renderer": []}
    masks = []
    for i in r.meta["heldout_views"]:
        k = scale_intrinsics(cap.intrinsics[i], sx, sy)
        cam = CameraState(cap.world_to_camera[i], k, size, cap.center, cap.up)
        cols["real"].append(read_view(cap.images[i], size))
        cols["renderer"].append(np.clip(r.render_camera(cam), 0, 1))
        guides, r.views = r.views, None
        cols["enlarged"].append(cv2.resize(np.clip(r.render_camera(cam), 0, 1), size))
        r.views = guides
        src = nearest_cameras(cap.world_to_camera, cap.world_to_camera[i], train, 2)
        images = [read_view(cap.images[j], size) for j in src]
        ks = scale_intrinsics(cap.intrinsics[src], sx, sy)
        cols["homography"].append(
            plane_blend(images, cap.world_to_camera[src], ks, cap.world_to_camera[i], k, cap.center)
        )
        if cap.masks is not None:
            m = cv2.imread(str(cap.masks[i]), cv2.IMREAD_GRAYSCALE)
            masks.append((cv2.resize(m, size, interpolation=cv2.INTER_AREA) > 127).astype(np.float32))
    out = {"display_height": height}
    for name in ("enlarged", "homography", "renderer"):
        pairs = list(zip(cols[name], cols["real"], strict=True))
        out[f"display_{name}_psnr"] = float(np.mean([psnr(f, g) for f, g in pairs]))
        out[f"display_{name}_ssim"] = float(np.mean([ssim(f, g) for f, g in pairs]))
        if masks:
            out[f"display_{name}_psnr_mask"] = float(
                np.mean([psnr(f, g, m) for (f, g), m in zip(pairs, masks, strict=True)])
            )
    sheet = Path(checkpoint).with_name(Path(checkpoint).name + f".display{height}.png")
    write_png(sheet, contact_sheet(cols["real"], cols["enlarged"], cols["homography"], cols["renderer"]))
    out["display_contact_sheet"] = str(sheet)
    return out


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
        load_renderer("novel_view", checkpoint, "cpu") if checkpoint else _Untrained(model, cache, views)
    )
    cams = path_cameras(capture, ORBIT_FRAMES, ORBIT_HEIGHT)
    frame_ms = _median_ms(lambda: renderer.render_camera(cams[1]), 10)
    with FlopCounterMode(display=False) as fc:
        renderer.render_camera(cams[1])
    ceiling = matmul_gflops()
    with tempfile.TemporaryDirectory() as tmp:
        w, h = cams[0].size
        writer = _Steadiness(VideoWriter(Path(tmp) / "orbit.mp4", 30, w, h, preset="ultrafast"))
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
        "orbit_jump_ratio": round(writer.jump_ratio(), 2),
        "frame_gflop": round(fc.get_total_flops() / 1e9, 3),
        "frame_flops_ratio": round(fc.get_total_flops() / (frame_ms / 1000) / 1e9 / ceiling, 3),
        "matmul_gflops": round(ceiling, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "trained": bool(checkpoint),
    }
    if checkpoint:
        out.update({f"heldout_{k}": round(v, 3) for k, v in heldout(checkpoint).items()})
        out.update(
            {k: round(v, 3) if isinstance(v, float) else v for k, v in display_heldout(checkpoint).items()}
        )
    for k, v in out.items():
        print(f"{k}: {v}")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--checkpoint", help="a trained novel_view checkpoint directory")
    run(p.parse_args())


if __name__ == "__main__":
    main()
