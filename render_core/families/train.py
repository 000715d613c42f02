"""Training a model of a registered family: the one entry the CLI's `train`, the studio's
training dialog and the benches call."""

from __future__ import annotations

from render_core.families.registry import get_family
from render_core.jobs import JobContext
from render_core.training.trainer import TrainConfig, TrainResult, run_training


def train_model(cfg: TrainConfig, ctx: JobContext) -> TrainResult:
    """Train (or resume) a model of `cfg.family`; returns the final checkpoint and its report."""
    return run_training(cfg, get_family(cfg.family), ctx)
