"""`main.py bench NAME`: run a benchmark from the repo's bench/ folder (tracking, render, ...)."""

from __future__ import annotations

import importlib
import pkgutil

from render_core.errors import InputError
from render_core.jobs import JobContext

NAME = "bench"
HELP = "run a benchmark (frames/s, ms/step, peak memory, achieved FLOP/s vs measured matmul)"


def _available() -> list[str]:
    try:
        import bench
    except ModuleNotFoundError:
        return []
    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name not in ("common", "sheets"))


def add_arguments(p) -> None:
    p.add_argument(
        "name", help="benchmark name (a module in bench/: tracking, render, portrait, body, train, gpu)"
    )
    p.add_argument(
        "--minutes", type=float, help="portrait, body: also train this long and print the held-out report"
    )
    p.add_argument("--clips", help="portrait: footage clips to train on (comma-separated names, or 'all')")
    p.add_argument(
        "--seeds",
        type=int,
        default=1,
        help="portrait, body: trainings per clip (seeds 0..K-1), with their mean",
    )
    p.add_argument(
        "--distributed",
        action="store_true",
        help="train: 1 vs N torchrun processes (1 thread each on the CPU) and the scaling efficiency",
    )
    p.add_argument("--family", help="train: one family (default: every family)")
    p.add_argument(
        "--processes", type=int, help="train --distributed: processes to compare with 1 (default 2)"
    )


def run(args, ctx: JobContext) -> dict:
    names = _available()
    if args.name not in names:
        raise InputError(None, f"unknown benchmark {args.name!r}; available: {', '.join(names) or 'none'}")
    mod = importlib.import_module(f"bench.{args.name}")
    return mod.run(args, ctx) or {}
