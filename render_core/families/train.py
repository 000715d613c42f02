"""Training a model of a registered family: the one entry the CLI's `train`, the studio's
training dialog and the benches call."""

from __future__ import annotations

import contextlib

from render_core.families.registry import get_family
from render_core.jobs import Cancelled, JobContext, null_context
from render_core.training.launch import run_local
from render_core.training.trainer import TrainConfig, TrainResult, run_training


def train_model(cfg: TrainConfig, ctx: JobContext) -> TrainResult:
    """Train (or resume) a model of `cfg.family`; returns the final checkpoint and its report.
    `cfg.processes` > 1 (and not already one of torchrun's processes): that many processes on
    this machine, this one rank 0."""
    if cfg.processes > 1 and not cfg.distributed:
        return run_local(cfg, ctx, cfg.processes, train_model, train_rank)
    return run_training(cfg, get_family(cfg.family), ctx)


def train_rank(cfg: TrainConfig) -> None:
    """One of the other ranks of a `processes` > 1 run (started by `run_local`); a pause or
    cancel of the job stops it at the same step as rank 0, which saves the checkpoint."""
    with contextlib.suppress(Cancelled):
        run_training(cfg, get_family(cfg.family), null_context())
