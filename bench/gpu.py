"""The CUDA path in one run: doctor, each family trained `--minutes` (2) with its gpu-quality
preset, a 200-frame export through each model; per family ms/step, training frames/s, peak GPU
memory, achieved training FLOP/s against the GPU's measured matmul peak (in the precision the
preset computes in), and export frames/s. `bench/gpu_check.sh` sets up and runs it.

Run: `python main.py bench gpu` or `.venv/bin/python -m bench.gpu [--minutes 2] [--frames 200]`
(`--device cpu --minutes 0.05 --frames 8 --preset cpu-preview` walks the same path on a CPU).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.common import REPO, matmul_gflops, train_step_flops
from render_core.samples import footage_dir, sample_clip

CLIPS = {"portrait": "A_liveportrait_d18.mp4", "body": "B_musepose_ubcfashion_91BjuE6irxS.mp4"}


def doctor() -> str:
    """`main.py doctor`'s status line."""
    r = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "doctor", "--json", "--quiet"],
        capture_output=True, text=True, cwd=REPO, timeout=300,
    )  # fmt: skip
    last = (r.stdout.strip().splitlines() or ["{}"])[-1]
    return f"doctor: exit {r.returncode} {last[:300]}"


def _clip(family: str) -> Path | None:
    p = footage_dir() / CLIPS[family]
    if p.exists():
        return p
    return sample_clip() if family == "portrait" else None


def _edited_project(family: str, clip: Path, folder: Path):
    """A project on `clip` with an edit the family's renderer draws on every frame."""
    from render_core.edits.layer import EditLayer
    from render_core.edits.params import BodyPoseParams, ExpressionParams
    from render_core.edits.timeline import EditTimeline
    from render_core.project.io import new_project

    project = new_project(folder / "gpu", str(clip))
    if family == "portrait":
        layer = EditLayer("expression", 0, 10**6, {0: ExpressionParams(jaw_open=0.8, smile=0.5)})
    else:
        layer = EditLayer("body_pose", 0, 10**6, {0: BodyPoseParams(left_shoulder=30.0)})
    return project.with_timeline(EditTimeline().add_layer(layer))


def step_gflop(family: str, preset: str, dev) -> float:
    """GFLOP of one main-stage training step (every network, forward and backward)."""
    import numpy as np

    from render_core.families.registry import get_family, get_preset
    from render_core.training.family import RunState

    cfg, fam = get_preset(family, preset), get_family(family)
    if family == "portrait":
        from bench.portrait import _SyntheticData

        data = _SyntheticData(cfg)
    else:
        from bench.body import synthetic_data

        data = synthetic_data(cfg)
    models, opts = fam.build(cfg, data, dev)
    s = RunState(cfg, data, models, opts, dev, np.random.default_rng(0))
    s.progress = cfg.gan_start * getattr(cfg, "face_start", 1.0)
    return train_step_flops(fam, s) / 1e9


def check_family(family: str, preset: str, minutes: float, frames: int, device: str, peak: float) -> dict:
    """Track, train `minutes`, export `frames` frames through the model; the figures."""
    import torch

    from render_core.families.registry import get_preset
    from render_core.families.train import train_model
    from render_core.jobs import null_context
    from render_core.project.document import ModelRef
    from render_core.render.pipeline import RenderConfig, render_clip
    from render_core.render.sources import load_sources
    from render_core.training.device import select_device
    from render_core.training.trainer import TrainConfig

    clip = _clip(family)
    if clip is None:
        return {"family": family, "skipped": f"no {CLIPS[family]} under {footage_dir()}"}
    cuda = device.startswith("cuda")
    rates: list[float] = []
    with tempfile.TemporaryDirectory() as d:
        project = _edited_project(family, clip, Path(d))
        folder = Path(project.folder)
        t0 = time.perf_counter()
        load_sources(project, null_context())  # tracks cached for training and export
        track_s = time.perf_counter() - t0
        cfg = TrainConfig(
            family, [clip], folder / "models" / "m", preset, project_dir=folder, minutes=minutes,
            device=device, tensorboard=False,
            on_event=lambda ev: rates.append(ev.data["steps_per_s"]) if ev.kind == "loss" else None,
        )  # fmt: skip
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        res = train_model(cfg, null_context())
        peak_mb = torch.cuda.max_memory_allocated() / 2**20 if cuda else None
        project = replace(project.with_model(ModelRef("m", family, "models/m", preset)), renderer="m")
        out = RenderConfig(str(Path(d) / "o.mp4"), frames=(0, frames), use_cache=False, device=device)
        t0 = time.perf_counter()
        summary = render_clip(project, out, null_context())
        export_s = time.perf_counter() - t0
    pcfg = get_preset(family, preset)
    rate = rates[-1] if rates else 0.0
    gflop = step_gflop(family, preset, select_device(device, amp=pcfg.autocast))
    return {
        "family": family,
        "device": res.meta.get("device"),
        "track_s": round(track_s, 1),
        "steps": res.steps,
        "ms_per_step": round(1e3 / rate, 1) if rate else None,
        "train_frames_per_s": round(rate * pcfg.batch_size, 1),
        "peak_gpu_mb": round(peak_mb) if peak_mb is not None else None,
        "gflop_per_step": round(gflop, 2),
        "achieved_gflops": round(gflop * rate, 1),
        "matmul_peak_gflops": round(peak, 1),
        "ratio": round(gflop * rate / peak, 3) if peak else None,
        "export_frames": summary["frames"],
        "export_frames_per_s": round(summary["frames"] / export_s, 1),
        "heldout_psnr": res.metrics.get("psnr"),
    }


def run(
    args=None,
    ctx=None,
    minutes: float = 2.0,
    frames: int = 200,
    device: str = "cuda",
    preset: str = "gpu-quality",
) -> dict:
    import torch

    if device.startswith("cuda") and not torch.cuda.is_available():
        print("gpu check: no CUDA GPU on this machine (torch sees none); nothing to check")
        return {"gpu": False}
    t_start = time.perf_counter()
    print(doctor(), flush=True)
    if device.startswith("cuda"):
        print(
            f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}, CUDA {torch.version.cuda}",
            flush=True,
        )
    kind = "cuda" if device.startswith("cuda") else "cpu"
    # The preset's precision: bfloat16 under autocast where the GPU computes it natively.
    dtype = "bfloat16" if kind == "cuda" and torch.cuda.is_bf16_supported() else "float32"
    peak = matmul_gflops(sizes=(4096, 8192) if kind == "cuda" else (1024,), dtype=dtype, device=kind)
    print(f"measured matmul peak: {peak:.0f} GFLOP/s {dtype}", flush=True)
    results = {}
    for i, fam in enumerate(("portrait", "body")):
        if ctx is not None:
            ctx.step(i, 2, fam)
        r = check_family(fam, preset, minutes, frames, device, peak)
        results[fam] = r
        print(json.dumps(r), flush=True)
    print(f"gpu check finished in {time.perf_counter() - t_start:.0f} s")
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=2.0)
    p.add_argument("--frames", type=int, default=200)
    p.add_argument("--device", default="cuda")
    p.add_argument("--preset", default="gpu-quality")
    a = p.parse_args()
    run(minutes=a.minutes, frames=a.frames, device=a.device, preset=a.preset)


if __name__ == "__main__":
    main()
