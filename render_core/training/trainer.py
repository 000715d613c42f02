"""The generic training loop shared by every family: `run_training(cfg, family, ctx) -> TrainResult`.

Budgets: `steps` is the total step target (a resumed run continues toward it), `minutes` the
wall-clock budget of this run; with neither, the preset's default minutes. Checkpoints are
written every `checkpoint_every` steps, at the end, and when the job is cancelled (pause), so a
killed run loses at most the steps since the last one. Events (loss points, sample images,
held-out metrics, checkpoints) go to `cfg.on_event` and, when installed, TensorBoard.

With `distributed` (under torchrun) every process runs this loop on its shard of the training
frames with gradients averaged (training.distributed); rank 0 alone emits events, samples,
evaluates and writes checkpoints, and the budget and a cancel are agreed on every step.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from render_core.errors import InputError
from render_core.jobs import Cancelled, JobContext, null_context
from render_core.training import checkpoint as ckpt
from render_core.training import distributed as dist
from render_core.training.device import select_device
from render_core.training.family import Family, RunState
from render_core.training.presets import config_from_json, get_preset
from render_core.training.run_checks import check_run
from render_core.training.weight_average import (
    add_averages,
    averaged_name,
    missing_averages,
    update_averages,
)


@dataclass(frozen=True)
class TrainEvent:
    """kind: "loss" (data: losses + steps_per_s), "sample" (image), "metrics", "checkpoint"."""

    kind: str
    step: int
    data: Any


@dataclass
class TrainConfig:
    family: str
    clips: list[Path]
    out_dir: Path  # the checkpoint directory
    preset: str = "cpu-preview"
    project_dir: Path | None = None
    tracks: list[Path] | None = None  # per clip; None = the family tracks / finds them
    steps: int | None = None
    minutes: float | None = None
    resume: bool = False
    device: str = "auto"
    overrides: dict = field(default_factory=dict)
    max_frames: int | None = None
    on_event: Callable[[TrainEvent], None] | None = None
    tensorboard: bool = True
    distributed: bool = False  # one of torchrun's processes (training.distributed)
    processes: int = 1  # > 1: that many processes on this machine (families.train, training.launch)


@dataclass
class TrainResult:
    checkpoint: Path
    steps: int
    wall_time_s: float
    metrics: dict
    meta: dict


class _Budget:
    def __init__(self, steps: int | None, minutes: float | None, default_minutes: float) -> None:
        self.steps = steps
        self.seconds = minutes * 60 if minutes is not None else (None if steps else default_minutes * 60)
        self.t0 = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def done(self, step: int) -> bool:
        return (self.steps is not None and step >= self.steps) or (
            self.seconds is not None and self.elapsed() >= self.seconds
        )

    def progress(self, step: int, start: int) -> tuple[int, int]:
        if self.steps is not None:
            return step - start, max(1, self.steps - start)
        return int(self.elapsed()), int(self.seconds or 1)


def _emit(cfg: TrainConfig, tb, ev: TrainEvent) -> None:
    if cfg.on_event is not None:
        cfg.on_event(ev)
    if tb is None:
        return
    if ev.kind in ("loss", "metrics"):
        for k, v in ev.data.items():
            if isinstance(v, int | float):
                tb.add_scalar(f"{ev.kind}/{k}", v, ev.step)
    elif ev.kind == "sample":
        tb.add_image("sample", np.transpose(ev.data, (2, 0, 1)), ev.step)


def _tensorboard(cfg: TrainConfig, world: dist.World):
    if not cfg.tensorboard or not world.is_main:
        return None
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:
        return None
    return SummaryWriter(str(Path(cfg.out_dir).with_name(Path(cfg.out_dir).name + ".tb")))


def _meta(
    cfg: TrainConfig, family: Family, pcfg: Any, s: RunState, step: int, wall: float, metrics: dict
) -> dict:
    return {
        "family": cfg.family,
        "preset": cfg.preset,
        "config": dataclasses.asdict(pcfg),
        "resolution": pcfg.resolution,
        "step": step,
        "wall_time_s": round(wall, 2),
        "device": s.dev.name,
        "processes": s.world_size,
        "metrics": metrics,
        **family.describe(pcfg, s.data),
    }


def _preset_config(cfg: TrainConfig, family: Family) -> Any:
    """The preset with `cfg.overrides`; a resumed run starts from the settings its checkpoint
    was trained with (so `--set` values need not be repeated), explicit overrides on top."""
    base = get_preset(family.presets, cfg.family, cfg.preset, cfg.overrides)  # rejects unknown overrides
    found = ckpt.resolve(cfg.out_dir) if cfg.resume else None
    if found is None:
        return base
    try:
        stored = json.loads((found / ckpt.META_FILE).read_text()).get("config")
    except (OSError, ValueError):
        return base  # load_checkpoint then reports the unreadable checkpoint with its path
    if not stored:
        return base
    return dataclasses.replace(config_from_json(type(base), stored), **(cfg.overrides or {}))


def _resume(cfg: TrainConfig, s: RunState) -> tuple[int, float, dict]:
    if not cfg.resume or ckpt.resolve(cfg.out_dir) is None:
        return 0, 0.0, {}
    ck = ckpt.load_checkpoint(cfg.out_dir)
    if ck.meta.get("family") != cfg.family:
        raise InputError(cfg.out_dir, f"checkpoint is family {ck.meta.get('family')!r}, not {cfg.family!r}")
    # A checkpoint from before the preset averaged its weights starts the average at the trained ones.
    missing = missing_averages(s.models, ck.models)
    averages = {averaged_name(k) for k in missing}
    ckpt.restore(ck, {k: m for k, m in s.models.items() if k not in averages}, s.opts)
    for k in missing:
        s.models[averaged_name(k)].load_state_dict(s.models[k].state_dict())
    return int(ck.meta.get("step", 0)), float(ck.meta.get("wall_time_s", 0.0)), ck.meta.get("metrics", {})


def _schedule_lr(family, pcfg: Any, s: RunState) -> None:
    """Set every optimizer's learning rate from the family's schedule at the current progress."""
    for name, opt in s.opts.items():
        lr = pcfg.lr * family.lr_factor(pcfg, name, s.progress)
        for group in opt.param_groups:
            group["lr"] = lr


def _start(cfg: TrainConfig, pcfg: Any) -> tuple[dist.World, Any, bool]:
    """(world, device, whether this call joined the process group) of this process."""
    world = dist.world_from_env() if cfg.distributed else dist.SINGLE
    dev = select_device(dist.device_kind(cfg.device, world), amp=pcfg.autocast)
    if world.size > 1 and dev.device.type == "cpu":
        torch.set_num_threads(dist.cpu_threads_per_process(world))
    return world, dev, dist.start(world, dev.device)


def run_training(cfg: TrainConfig, family: Family, ctx: JobContext) -> TrainResult:
    """Train (or resume) `family`'s model on `cfg.clips`; returns the final checkpoint.
    Callers name the family (`families.train.train_model`), so the loop knows none."""
    check_run(cfg)
    pcfg = _preset_config(cfg, family)
    world, dev, joined = _start(cfg, pcfg)
    try:
        return _train(cfg, family, ctx if world.is_main else null_context(), pcfg, world, dev)
    finally:
        dist.stop(joined)


def _train(
    cfg: TrainConfig, family: Family, ctx: JobContext, pcfg: Any, world: dist.World, dev: Any
) -> TrainResult:
    torch.manual_seed(pcfg.seed)  # the same initial weights in every process
    with dist.rank_zero_first(world):
        data = family.load_data(pcfg, cfg, ctx.sub(0.0, 0.15))
    models, opts = family.build(pcfg, data, dev)
    if pcfg.ema_decay > 0:
        add_averages(models, family.averaged)
    seed = pcfg.seed if world.size == 1 else [pcfg.seed, world.rank]  # each rank its own draws
    s = RunState(
        pcfg, data, models, opts, dev, np.random.default_rng(seed), rank=world.rank, world_size=world.size
    )
    step, wall0, metrics = _resume(cfg, s)
    s.models = dist.wrap(models, world, dev.device)
    start = step
    budget = _Budget(cfg.steps, cfg.minutes, pcfg.default_minutes)
    tb = _tensorboard(cfg, world)
    loop_ctx = ctx.sub(0.15, 0.9)
    # Rank 0's held-out passes happen while the others wait: nothing there may cancel alone.
    eval_ctx = loop_ctx if world.size == 1 else null_context()

    def save(metrics: dict) -> Path:
        wall = wall0 + budget.elapsed()
        path = ckpt.save_checkpoint(
            cfg.out_dir, models, opts, _meta(cfg, family, pcfg, s, step, wall, metrics)
        )
        _emit(cfg, tb, TrainEvent("checkpoint", step, str(path)))
        return path

    def plain_state() -> RunState:
        return dataclasses.replace(s, models=models)

    try:
        while True:
            # Fraction of the whole budget used so far: families may stage training (body: face stage last).
            progress = step / budget.steps if budget.steps else budget.elapsed() / budget.seconds
            s.progress, done, cancel = dist.agree(
                world, progress, budget.done(step), ctx.cancelled, dev.device
            )
            if done:
                break
            if cancel:
                raise Cancelled()
            _schedule_lr(family, pcfg, s)
            losses = family.train_step(s, step)
            if pcfg.ema_decay > 0:
                update_averages(models, family.averaged, pcfg.ema_decay)
            step += 1
            if not world.is_main:
                continue
            rate = (step - start) / max(budget.elapsed(), 1e-6)
            _emit(cfg, tb, TrainEvent("loss", step, {**losses, "steps_per_s": rate}))
            msg = f"step {step} {rate:.2f} it/s " + " ".join(f"{k} {v:.3f}" for k, v in losses.items())
            _report(loop_ctx, world, budget.progress(step, start), msg)
            if step % pcfg.sample_every == 0:
                _emit(cfg, tb, TrainEvent("sample", step, family.sample(plain_state())))
            if step % pcfg.eval_every == 0:
                metrics = family.evaluate(plain_state(), False, eval_ctx)
                _emit(cfg, tb, TrainEvent("metrics", step, metrics))
            if step % pcfg.checkpoint_every == 0:
                save(metrics)
    except Cancelled:
        if world.is_main:
            save(metrics)
        raise
    path = Path(cfg.out_dir)
    if world.is_main:
        metrics = family.evaluate(plain_state(), True, ctx.sub(0.9, 1.0) if world.size == 1 else eval_ctx)
        _emit(cfg, tb, TrainEvent("metrics", step, metrics))
        path = save(metrics)
    if tb is not None:
        tb.close()
    dist.barrier(world)  # every rank returns once the final checkpoint is in place
    wall = wall0 + budget.elapsed()
    return TrainResult(path, step, wall, metrics, _meta(cfg, family, pcfg, s, step, wall, metrics))


def _report(ctx: JobContext, world: dist.World, progress: tuple[int, int], msg: str) -> None:
    """Progress of rank 0. With several processes a cancel found here waits for the next
    step's agreement (`dist.agree`), so that every rank stops at the same step."""
    try:
        ctx.step(*progress, msg)
    except Cancelled:
        if world.size == 1:
            raise
