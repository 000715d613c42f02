"""Portrait family speed: ms per training step, ms per generated frame, generator GFLOP/s
against the machine's measured fp32 matmul GFLOP/s (the physical limit).

Run: `python main.py bench portrait` (both presets on the best device), or
`.venv/bin/python -m bench.portrait [--preset cpu-preview] [--device auto] [--json]`.
Quality (held-out PSNR/SSIM vs the warp baseline, E_warp) is the training report itself:
`python main.py train portrait --project P --clip CLIP --preset cpu-preview --minutes 10 --json`.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from bench.common import matmul_gflops
from render_core.models.portrait import PortraitUNet
from render_core.training.device import select_device
from render_core.training.family import RunState
from render_core.training.portrait_family import PortraitFamily, net_config
from render_core.training.presets import get_preset


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
    """Random windows/targets of the preset's shape (speed does not depend on content)."""

    def __init__(self, cfg, n: int = 8) -> None:
        self.train = np.arange(n)
        s = cfg.resolution
        self.x = torch.rand(n, 9 * cfg.n_w, s, s)
        self.y = torch.rand(n, 3, s, s) * 2 - 1

    def batch(self, pos, device):
        return self.x[pos].to(device), self.y[pos].to(device)


def bench(preset: str, device: str, reps: int) -> dict:
    cfg = get_preset("portrait", preset)
    dev = select_device(device)
    sync = torch.cuda.synchronize if dev.device.type == "cuda" else (lambda: None)
    fam = PortraitFamily()
    data = _SyntheticData(cfg)
    models, opts = fam.build(cfg, data, dev)
    s = RunState(cfg, data, models, opts, dev, np.random.default_rng(0))
    step_s = _timed(lambda: fam.train_step(s, 0), reps, sync)
    g = PortraitUNet(net_config(cfg)).to(dev.device).eval()
    x = data.x[:1].to(dev.device)
    with FlopCounterMode(display=False) as fc:
        g(x)
    flops = fc.get_total_flops()

    @torch.no_grad()
    def infer():
        with dev.autocast():
            g(x)

    frame_s = _timed(infer, reps * 6, sync)
    peak = matmul_gflops(device=dev.device.type)
    achieved = flops / frame_s / 1e9
    return {
        "preset": preset,
        "device": dev.name,
        "resolution": cfg.resolution,
        "ms_per_train_step": round(step_s * 1e3, 1),
        "batch_size": cfg.batch_size,
        "ms_per_frame": round(frame_s * 1e3, 2),
        "generator_gflop_per_frame": round(flops / 1e9, 3),
        "achieved_gflops": round(achieved, 1),
        "matmul_gflops": round(peak, 1),
        "ratio": round(achieved / peak, 3),
    }


def run(args=None, ctx=None) -> dict:
    """`main.py bench portrait`: every preset, printed as a table."""
    from bench.common import print_table

    rows = []
    for i, preset in enumerate(("cpu-preview", "gpu-quality")):
        if ctx is not None:
            ctx.step(i, 2, preset)
        rows.append(bench(preset, "auto", reps=3))
    print_table(rows, list(rows[0].keys()))
    return {"presets": rows}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--preset", default="cpu-preview")
    p.add_argument("--device", default="auto")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    r = bench(a.preset, a.device, a.reps)
    print(json.dumps(r) if a.json else "\n".join(f"{k:28s} {v}" for k, v in r.items()))


if __name__ == "__main__":
    main()
