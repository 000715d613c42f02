"""Data-parallel training throughput: steps/s and training frames/s of 1 vs N processes
(torchrun, gloo on the CPU at one thread per process, NCCL on GPUs) and the scaling efficiency
(N-process frames/s over N times the 1-process frames/s).

Each process trains the family's real networks and step (DDP-wrapped as `training.distributed`
wraps them, its batch drawn from its shard) on synthetic frames of the preset's shape: speed
does not depend on content, and the figure is the loop's, not tracking's or decoding's.

Run: `python main.py bench train --distributed [--family portrait] [--processes 2]`, or
`.venv/bin/python -m bench.train [--family body] [--steps 20]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import REPO, print_table

TORCHRUN = Path(sys.executable).with_name("torchrun")


def _synthetic(family: str, cfg):
    if family == "portrait":
        from bench.portrait import _SyntheticData

        return _SyntheticData(cfg, n=16)
    from bench.body import synthetic_data

    return synthetic_data(cfg, n=16)


def worker(family: str, preset: str, steps: int, device: str, out: str) -> None:
    """One training process (under torchrun): time `steps` steps after two warm-up steps; rank
    0 writes {steps_per_s, frames_per_s} to `out`."""
    import torch

    from render_core.families.registry import get_family, get_preset
    from render_core.training import distributed as dist
    from render_core.training.device import select_device
    from render_core.training.family import RunState

    world = dist.world_from_env()
    cfg, fam = get_preset(family, preset), get_family(family)
    dev = select_device(dist.device_kind(device, world), amp=cfg.autocast)
    if dev.device.type == "cpu":
        torch.set_num_threads(1)
    joined = dist.start(world, dev.device)
    torch.manual_seed(0)
    data = _synthetic(family, cfg)
    models, opts = fam.build(cfg, data, dev)
    s = RunState(cfg, data, models, opts, dev, np.random.default_rng([0, world.rank]))
    s.rank, s.world_size = world.rank, world.size
    s.models = dist.wrap(models, world, dev.device)
    # The main adversarial stage: every network of the step, forward and backward.
    s.progress = cfg.gan_start * getattr(cfg, "face_start", 1.0)
    sync = torch.cuda.synchronize if dev.device.type == "cuda" else (lambda: None)
    for i in range(2):
        fam.train_step(s, i)
    sync()
    dist.barrier(world)
    t0 = time.perf_counter()
    for i in range(steps):
        fam.train_step(s, i)
    sync()
    dist.barrier(world)
    wall = time.perf_counter() - t0
    if world.is_main:
        rate = steps / wall
        rec = {"steps_per_s": rate, "frames_per_s": rate * cfg.batch_size * world.size, "device": dev.name}
        Path(out).write_text(json.dumps(rec))
    dist.stop(joined)


def measure(family: str, preset: str, processes: int, steps: int, device: str) -> dict:
    """`processes` torchrun workers at one CPU thread each; their rank 0's figures."""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "r.json"
        cmd = [
            str(TORCHRUN), "--standalone", "--nproc-per-node", str(processes), "-m", "bench.train",
            "--worker", "--family", family, "--preset", preset, "--steps", str(steps),
            "--device", device, "--out", str(out),
        ]  # fmt: skip
        env = {**os.environ, "OMP_NUM_THREADS": "1", "RENDER_CPU_THREADS": "1", "GLOG_minloglevel": "2"}
        r = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
        if r.returncode != 0:
            raise RuntimeError(f"torchrun failed ({r.returncode}): {r.stderr[-2000:]}")
        return {"processes": processes, **json.loads(out.read_text())}


def scaling(family: str, preset: str, processes: int, steps: int, device: str) -> dict:
    """1 vs `processes` processes and the scaling efficiency of training frames/s."""
    one = measure(family, preset, 1, steps, device)
    many = measure(family, preset, processes, steps, device)
    eff = many["frames_per_s"] / (processes * one["frames_per_s"])
    rows = [one, many]
    for r in rows:
        r["steps_per_s"], r["frames_per_s"] = round(r["steps_per_s"], 2), round(r["frames_per_s"], 2)
    print(f"{family}/{preset}, synthetic frames, 1 thread per CPU process, load {os.getloadavg()[0]:.1f}:")
    print_table(rows, ["processes", "device", "steps_per_s", "frames_per_s"])
    print(f"speed-up {many['frames_per_s'] / one['frames_per_s']:.2f}x, scaling efficiency {eff:.0%}")
    return {"family": family, "preset": preset, "runs": rows, "efficiency": round(eff, 3)}


def _default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _processes(requested: int | None, device: str) -> int:
    if requested:
        return requested
    if device.startswith("cuda"):
        import torch

        return max(1, min(2, torch.cuda.device_count()))
    return 2


def run(args=None, ctx=None) -> dict:
    """`main.py bench train --distributed`: scaling of every family (or `--family`)."""
    families = [args.family] if getattr(args, "family", None) else ["portrait", "body"]
    device = _default_device()
    n = _processes(getattr(args, "processes", None), device)
    if not getattr(args, "distributed", False):
        n = 1
    results = {}
    for i, fam in enumerate(families):
        if ctx is not None:
            ctx.step(i, len(families), fam)
        if n == 1:
            results[fam] = measure(fam, "cpu-preview", 1, 20, device)
            print(
                f"{fam}: {results[fam]['steps_per_s']:.2f} steps/s (add --distributed for 1 vs 2 processes)"
            )
        else:
            results[fam] = scaling(fam, "cpu-preview" if device == "cpu" else "gpu-quality", n, 20, device)
    return results


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--family", default="portrait")
    p.add_argument("--preset", default="cpu-preview")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--device", default="auto")
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--out")
    a = p.parse_args()
    if a.worker:
        worker(a.family, a.preset, a.steps, a.device, a.out)
    else:
        scaling(a.family, a.preset, a.processes, a.steps, a.device)


if __name__ == "__main__":
    main()
