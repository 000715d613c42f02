"""Portrait family speed: ms per training step, ms per generated frame, generator GFLOP/s
against the machine's measured matmul GFLOP/s (the physical limit), and the same ratio for a
whole training step (`train_ratio`: G and D, forward and backward; `warmup_*`: the L1 warm-up's
steps before the adversarial term joins, G alone, where the preset has one). `batched_*`: the generator
at the renderer's export batch (`portrait_renderer.BATCH_SIZE` frames per pass: export renders
ahead), per frame.

`ms_conditioning`: one frame's conditioning maps at the preset's resolution.

Run: `python main.py bench portrait` (both presets on the best device), or
`.venv/bin/python -m bench.portrait [--preset cpu-preview] [--device auto] [--json]`.
Quality (optional: `--minutes M` or BENCH_PORTRAIT_MINUTES): a full training per shared talking
head (A_liveportrait_d18.mp4 first, the target clip; `--clips all` or BENCH_PORTRAIT_CLIPS=all
for every A_* clip) and its held-out report: PSNR/SSIM of the model and of the landmark-warp
baseline on the same held-out crops, E_warp of the generated and the real held-out sequence, and
the edit-realism measures (`families.portrait.realism`: sharpness ratios held-out and under
jaw_open 0.5, open-mouth PSNR, the edited sequence's E_warp; a contact sheet PNG next to each
checkpoint). `checkpoint_report` gives the same report for a checkpoint already trained.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from bench.common import matmul_gflops, seed_means, train_step_flops
from render_core.families.portrait.family import PortraitFamily
from render_core.families.portrait.renderer import BATCH_SIZE
from render_core.families.portrait.warp_net import generator_for
from render_core.families.registry import get_preset
from render_core.models.cpu_inference import pack_for_cpu
from render_core.samples import footage_dir
from render_core.training.device import select_device
from render_core.training.family import RunState


def _timed(fn, reps: int, sync) -> float:
    """Median seconds per call after one warm-up (the median resists other load on the machine)."""
    fn()
    sync()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


class _SyntheticData:
    """Random windows/targets of the preset's shape (speed does not depend on content); random
    crops with a face that fills them, jittered per sample, for the warp input (its warp is
    part of a training step's time)."""

    def __init__(self, cfg, n: int = 8) -> None:
        self.train = np.arange(n)
        s = cfg.resolution
        self.x = torch.rand(n, 9 * cfg.n_w, s, s)
        self.y = torch.rand(n, 3, s, s) * 2 - 1
        rng = np.random.default_rng(0)
        self.crops = rng.integers(0, 256, (n, s, s, 3), dtype=np.uint8)
        self.landmarks_crop = np.stack([_crop_face(s) + rng.normal(0, 0.01 * s, (1, 3)) for _ in range(n)])
        self.steady_landmarks: dict = {}
        self.frames = np.arange(n)
        self.transforms = [_Unmoved()] * n  # the landmarks are already crop px
        self.track = SimpleNamespace(landmarks=self.landmarks_crop)

    def batch(self, pos, device, steady: bool = False):
        return self.x[pos].to(device), self.y[pos].to(device)


class _Unmoved:
    """A crop transform that keeps points where they are."""

    @staticmethod
    def points(pts: np.ndarray) -> np.ndarray:
        return np.asarray(pts, np.float32)


def _crop_face(size: int) -> np.ndarray:
    """(478, 3) float32 crop px: the canonical face, frontal, filling 55% of a `size` px crop."""
    from render_core.geometry.canonical_face import canonical_face

    pts = canonical_face().astype(np.float64)
    return (pts * (size * 0.55 / np.ptp(pts[:, 0])) + [size / 2, size / 2, 0.0]).astype(np.float32)


def conditioning_ms(size: int, reps: int = 20) -> float:
    """Median ms to render one frame's three conditioning maps (shaded, correspondence, gaze)
    of a frontal face filling the crop at `size` px (budget: 5 ms at 256 px)."""
    from render_core.families.portrait.maps import FaceMapRenderer, correspondence_colors
    from render_core.geometry.canonical_face import IRIS_LEFT, IRIS_RIGHT, canonical_face

    lm = _crop_face(size)
    renderer = FaceMapRenderer(size, correspondence_colors(canonical_face().astype(np.float64)))
    iris = lm[[IRIS_LEFT, IRIS_RIGHT], :2]
    return 1e3 * _timed(lambda: renderer.render(lm, iris), reps, lambda: None)


def warp_ms(size: int, reps: int = 20) -> float:
    """Median ms to warp one crop's face to jittered landmarks at `size` px (the warp input)."""
    from render_core.families.portrait.warp_input import warp_crop

    src = _crop_face(size)
    dst = src + np.random.default_rng(0).normal(0, 0.01 * size, src.shape).astype(np.float32)
    crop = np.random.default_rng(1).random((size, size, 3), dtype=np.float32)
    return 1e3 * _timed(lambda: warp_crop(crop, src, dst), reps, lambda: None)


def bench(preset: str, device: str, reps: int, amp: bool = True, overrides: dict | None = None) -> dict:
    cfg = get_preset("portrait", preset, overrides)
    dev = select_device(device, amp=amp)
    sync = torch.cuda.synchronize if dev.device.type == "cuda" else (lambda: None)
    fam = PortraitFamily()
    data = _SyntheticData(cfg)
    models, opts = fam.build(cfg, data, dev)
    s = RunState(cfg, data, models, opts, dev, np.random.default_rng(0))
    s.progress = cfg.gan_start  # a step with the adversarial term
    step_s, step_flops = _timed(lambda: fam.train_step(s, 0), reps, sync), train_step_flops(fam, s)
    warm = None
    if cfg.gan_start > 0:
        s.progress = 0.0
        warm = _timed(lambda: fam.train_step(s, 0), reps, sync), train_step_flops(fam, s)
    g = generator_for(cfg).to(dev.device, memory_format=dev.memory_format).eval()
    # Inputs laid out as the renderer hands them over: channels-last on the CPU.
    fmt = torch.channels_last if dev.device.type == "cpu" else dev.memory_format
    x = (
        torch.rand(1, g.cfg.in_ch, cfg.resolution, cfg.resolution)
        .to(dev.device)
        .contiguous(memory_format=fmt)
    )
    with FlopCounterMode(display=False) as fc:
        g(x)
    flops = fc.get_total_flops()
    g = pack_for_cpu(g)  # timed as the renderer runs it: weights prepacked on the CPU

    @torch.no_grad()
    def infer():
        with dev.autocast():
            g(x)

    frame_s = _timed(infer, reps * 6, sync)
    xb = torch.rand(BATCH_SIZE, *x.shape[1:]).to(dev.device).contiguous(memory_format=fmt)

    @torch.no_grad()
    def infer_batch():
        with dev.autocast():
            g(xb)

    batch_s = _timed(infer_batch, reps * 2, sync) / BATCH_SIZE
    # The physical limit in the precision the generator runs in (bf16 under autocast).
    matmul_dtype = "float32" if dev.amp_dtype is None else str(dev.amp_dtype).removeprefix("torch.")
    peak = matmul_gflops(dtype=matmul_dtype, device=dev.device.type)
    achieved = flops / frame_s / 1e9
    warmup = {"ms_per_warmup_step": None, "warmup_gflop_per_step": None, "warmup_ratio": None}
    if warm is not None:
        warmup = {"ms_per_warmup_step": round(warm[0] * 1e3, 1),
                  "warmup_gflop_per_step": round(warm[1] / 1e9, 2),
                  "warmup_ratio": round(warm[1] / warm[0] / 1e9 / peak, 3)}  # fmt: skip
    return {
        "preset": preset,
        "device": dev.name,
        "resolution": cfg.resolution,
        "ms_per_train_step": round(step_s * 1e3, 1),
        "batch_size": cfg.batch_size,
        "ms_per_frame": round(frame_s * 1e3, 2),
        "generator_gflop_per_frame": round(flops / 1e9, 3),
        "achieved_gflops": round(achieved, 1),
        "matmul_dtype": matmul_dtype,
        "matmul_gflops": round(peak, 1),
        "ratio": round(achieved / peak, 3),
        "batched_ms_per_frame": round(batch_s * 1e3, 2),
        "batched_ratio": round(flops / batch_s / 1e9 / peak, 3),
        "train_gflop_per_step": round(step_flops / 1e9, 2),
        "train_ratio": round(step_flops / step_s / 1e9 / peak, 3),
        **warmup,
        "ms_conditioning": round(conditioning_ms(cfg.resolution), 2),
        "ms_warp_input": round(warp_ms(cfg.resolution), 2) if cfg.warp_input else None,
    }


TARGET_CLIP = "A_liveportrait_d18.mp4"


def quality(
    clip: Path, minutes: float, preset: str = "cpu-preview", device: str = "auto", seed: int = 0
) -> dict:
    """Train on `clip` for `minutes` (tracking it first, outside the budget); the held-out report."""
    from render_core.families.train import train_model
    from render_core.jobs import null_context
    from render_core.tracking.track_clip import TrackConfig, track_clip
    from render_core.training.trainer import TrainConfig

    folder = Path(tempfile.mkdtemp(prefix="bench_portrait_"))
    tracks = track_clip(TrackConfig(clip=str(clip), project_dir=str(folder), body=False), null_context()).path
    cfg = TrainConfig("portrait", [clip], folder / "models" / f"portrait-{preset}", preset,
                      project_dir=folder, tracks=[tracks], minutes=minutes, device=device,
                      overrides={"seed": seed}, tensorboard=False)  # fmt: skip
    load0 = os.getloadavg()[0]
    res = train_model(cfg, null_context())
    m = res.metrics
    return {
        "clip": clip.name,
        "seed": seed,
        "steps": res.steps,
        "ms_per_step": round(1e3 * res.wall_time_s / max(res.steps, 1), 1),
        "device": res.meta.get("device"),
        "load_avg": f"{load0:.1f}->{os.getloadavg()[0]:.1f}",
        "psnr": round(m["psnr"], 2),
        "baseline_psnr": round(m["baseline_psnr"], 2),
        "gain_db": round(m["psnr"] - m["baseline_psnr"], 2),
        "ssim": round(m["ssim"], 4),
        "baseline_ssim": round(m["baseline_ssim"], 4),
        "ewarp_ratio": round(m["ewarp"] / m["ewarp_real"], 3) if m.get("ewarp_real") else None,
        **realism_fields(m),
        "checkpoint": str(res.checkpoint),
    }


def realism_fields(m: dict) -> dict:
    """The held-out report's edit-realism measures, rounded (absent ones as None)."""
    keys = (
        "sharpness", "baseline_sharpness", "sharpness_jaw", "warp_sharpness_jaw", "mouth_psnr",
        "baseline_mouth_psnr", "mouth_open_frames", "ewarp_jaw_ratio", "warp_ewarp_jaw_ratio",
        "psnr_face", "baseline_psnr_face", "composition", "psnr_face_free", "psnr_face_region",
    )  # fmt: skip
    out = {k: round(m[k], 3) if isinstance(m.get(k), float) else m.get(k) for k in keys}
    if m.get("baseline_ewarp") and m.get("ewarp_real"):
        out["baseline_ewarp_ratio"] = round(m["baseline_ewarp"] / m["ewarp_real"], 3)
    out["contact_sheet"] = m.get("contact_sheet")
    return out


def checkpoint_report(checkpoint: Path, tracks: Path, device: str = "cpu") -> dict:
    """The full held-out report of a trained checkpoint (one written before the realism
    measures existed included), its contact sheet next to it: the clip's data rebuilt with the
    checkpoint's own settings gives the same crops and split as in training."""
    from render_core.families.portrait.config import PortraitPreset
    from render_core.families.portrait.data import load_portrait_data
    from render_core.families.portrait.eval import heldout_report
    from render_core.jobs import null_context
    from render_core.tracking.tracks import Tracks
    from render_core.training import checkpoint as ckpt
    from render_core.training.inference import open_checkpoint

    opened = open_checkpoint(checkpoint, PortraitPreset, device)
    cfg, meta = opened.cfg, opened.meta
    clip = Path(meta["train_clips"][0]["path"])
    data = load_portrait_data(
        clip, Tracks.load(tracks), cfg.resolution, cfg.n_w, cfg.max_train_frames, null_context(),
        crop_alpha=cfg.crop_alpha, crop_slack=cfg.crop_slack,
    )  # fmt: skip
    data.sheet_path = Path(checkpoint).with_name(Path(checkpoint).name + ".contact_sheet.png")
    g = generator_for(cfg).to(opened.dev.device)
    ckpt.restore(opened.checkpoint, {"G": g})
    return heldout_report(g, data, data.heldout, opened.dev, full=True, ctx=null_context())


def quality_clips(which: str) -> list[Path]:
    """The target clip, or with "all" every shared talking head (target first); [] without footage."""
    folder = footage_dir()
    if which == "all":
        names = [TARGET_CLIP] + sorted(p.name for p in folder.glob("A_*.mp4") if p.name != TARGET_CLIP)
    else:
        names = [n.strip() for n in which.split(",")]
    return [folder / n for n in names if (folder / n).exists()]


def run(args=None, ctx=None) -> dict:
    """`main.py bench portrait`: every preset's speed, printed as a table; with minutes
    (BENCH_PORTRAIT_MINUTES) also the held-out quality per clip (BENCH_PORTRAIT_CLIPS), over
    `--seeds K` trainings per clip (single 10-minute runs scatter by about +-0.5 dB)."""
    from bench.common import print_table

    minutes = getattr(args, "minutes", None) or float(os.environ.get("BENCH_PORTRAIT_MINUTES", 0)) or None
    which = getattr(args, "clips", None) or os.environ.get("BENCH_PORTRAIT_CLIPS", TARGET_CLIP)
    clips = quality_clips(which) if minutes else []
    seeds = max(1, int(getattr(args, "seeds", None) or 1))
    total = 2 + len(clips) * seeds
    rows = []
    for i, preset in enumerate(("cpu-preview", "gpu-quality")):
        if ctx is not None:
            ctx.step(i, total, preset)
        rows.append(bench(preset, "auto", reps=3))
        if "float32" not in rows[-1]["matmul_dtype"]:  # also the full-precision path, for comparison
            rows.append(bench(preset, "auto", reps=3, amp=False))
    print_table(rows, list(rows[0].keys()))
    result: dict = {"presets": rows}
    if clips:
        q = []
        for k, clip in enumerate(clips):
            for seed in range(seeds):
                if ctx is not None:
                    what = f"training on {clip.name} for {minutes} min (seed {seed})"
                    ctx.step(2 + k * seeds + seed, total, what)
                q.append(quality(clip, minutes, seed=seed))
        print_table(q, [k for k in q[0] if k not in ("checkpoint", "contact_sheet")])
        result["quality"] = q
        if seeds > 1:
            fields = ["psnr", "baseline_psnr", "gain_db", "ssim", "baseline_ssim", "ewarp_ratio"]
            result["quality_mean"] = means = seed_means(q, "clip", fields)
            print_table(means, list(means[0]))
    return result


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--preset", default="cpu-preview")
    p.add_argument("--device", default="auto")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--minutes", type=float, help="also train this long per clip and print the held-out report"
    )
    p.add_argument("--clips", default=TARGET_CLIP, help="comma-separated footage names, or 'all'")
    a = p.parse_args()
    if a.minutes:
        rows = [quality(c, a.minutes, a.preset, a.device) for c in quality_clips(a.clips)]
        print(json.dumps(rows) if a.json else "\n".join(json.dumps(r) for r in rows))
        return
    r = bench(a.preset, a.device, a.reps)
    print(json.dumps(r) if a.json else "\n".join(f"{k:28s} {v}" for k, v in r.items()))


if __name__ == "__main__":
    main()
