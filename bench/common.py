"""Shared benchmark utilities: the machine's matmul FLOP/s ceiling and isolated measurements.

Each measurement runs in a fresh subprocess so its peak resident memory (ru_maxrss) is its own,
which is what "memory flat in clip length" is checked against.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def matmul_gflops(
    sizes: tuple[int, ...] = (1024, 2048), repeats: int = 8, dtype: str = "float32", device: str = "cpu"
) -> float:
    """Measured matmul GFLOP/s in `dtype`: the physical limit generators are compared against.
    2n^3 flops per n x n product; the best over the sizes, the repeats and, on the CPU, the two
    GEMM libraries torch computes with: MKL (`torch.matmul`) and oneDNN (the same product as a
    1x1 convolution, the library every convolution here runs in). Why the best: on a shared
    machine one reading is often low (a single 2048 product read 107 to 183 GFLOP/s on the 2-core
    AMD), and on AMD CPUs MKL's fp32 GEMM skips AVX-512 (220 GFLOP/s on the 2-core EPYC with
    AVX-512 where oneDNN's reads 514 and convolutions 360-460): a low ceiling inflates every
    ratio divided by it past 1."""
    import torch

    def sync() -> None:
        if device == "cuda":
            torch.cuda.synchronize()

    best = 0.0
    for n in sizes:
        a = torch.randn(n, n, dtype=getattr(torch, dtype), device=device)
        b = torch.randn(n, n, dtype=getattr(torch, dtype), device=device)
        best = max(best, _best_rate(lambda a=a, b=b: a @ b, 2 * n**3, repeats, sync))
        if device == "cpu":  # (1, n, n / 32, 32) channels-last: the same n x n product in oneDNN
            x = a.reshape(1, n // 32, 32, n).permute(0, 3, 1, 2)
            w = b.t().contiguous().reshape(n, n, 1, 1)  # out[r, j] = (a @ b)[r, j]
            conv = lambda x=x, w=w: torch.nn.functional.conv2d(x, w)
            best = max(best, _best_rate(conv, 2 * n**3, repeats, sync))
    return best


def _best_rate(fn, flops: float, repeats: int, sync) -> float:
    """Best GFLOP/s of `repeats` timed calls after a warm-up call (clocks, thread pool, the
    library's first-call set-up)."""
    fn()
    best = 0.0
    for _ in range(repeats):
        sync()
        t = time.perf_counter()
        fn()
        sync()
        best = max(best, flops / (time.perf_counter() - t) / 1e9)
    return best


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_isolated(module: str, func: str, kwargs: dict, timeout: float = 1800) -> dict:
    """Call `module.func(**kwargs)` in a new Python process; returns its dict + peak_rss_mb."""
    code = (
        "import json, sys, importlib\n"
        "from bench.common import peak_rss_mb\n"
        f"r = getattr(importlib.import_module({module!r}), {func!r})(**json.loads(sys.argv[1]))\n"
        "r['peak_rss_mb'] = round(peak_rss_mb(), 1)\n"
        "print('@@RESULT@@' + json.dumps(r))\n"
    )
    env = {**os.environ, "GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(kwargs)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    for line in out.stdout.splitlines():
        if line.startswith("@@RESULT@@"):
            return json.loads(line[len("@@RESULT@@") :])
    raise RuntimeError(f"{module}.{func} failed: {out.stderr.strip().splitlines()[-1:]}")


def print_table(rows: list[dict], columns: list[str]) -> None:
    """A plain aligned table on stdout."""
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(_fmt(r.get(c)).ljust(widths[c]) for c in columns))


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.3f}"
    return "-" if v is None else str(v)


def seed_means(rows: list[dict], key: str, fields: list[str]) -> list[dict]:
    """Per value of `key` (a clip), the mean and standard deviation of each numeric field over
    its rows (one per training seed); non-numeric or missing values are left out."""
    import statistics

    out = []
    for k in dict.fromkeys(r[key] for r in rows):
        group = [r for r in rows if r[key] == k]
        row: dict = {key: k, "runs": len(group)}
        for f in fields:
            vals = [float(r[f]) for r in group if isinstance(r.get(f), int | float)]
            if vals:
                sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
                digits = 4 if max(abs(v) for v in vals) < 10 else 2  # SSIM, ratios vs dB
                row[f] = f"{statistics.fmean(vals):.{digits}f} +- {sd:.{digits}f}"
        out.append(row)
    return out


def train_step_flops(family, state) -> float:
    """FLOPs of one training step of `family` as `state`'s progress runs it (forward and
    backward): families stage their steps (L1 warm-up, adversarial, face stage)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as fc:
        family.train_step(state, 0)
    return fc.get_total_flops()
