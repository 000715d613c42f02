"""The interface a model family implements to train under the generic loop (trainer.py).

A family owns its data, networks, losses and evaluation; the loop owns budgets, progress,
checkpoints, resume, events and logging. Portrait and body both plug in here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from torch import nn

from render_core.jobs import JobContext
from render_core.training.device import DeviceInfo
from render_core.training.distributed import local_only


@dataclass(frozen=True)
class BasePreset:
    """Fields every family's preset has (the loop reads these); families subclass and add theirs."""

    resolution: int = 128
    batch_size: int = 1
    lr: float = 2e-4
    beta1: float = 0.5
    default_minutes: float = 10.0
    checkpoint_every: int = 200
    eval_every: int = 200
    sample_every: int = 100
    max_train_frames: int = 1500
    eval_frames: int = 24
    seed: int = 0
    # Fraction of the budget after which the learning rate falls linearly to 0 at the end
    # (pix2pix / pix2pixHD's schedule: constant, then linear decay); 1.0 = constant.
    lr_decay_from: float = 1.0
    # Fraction of the (main stage's) budget trained on the reconstruction terms alone (no
    # discriminator passes: faster steps) before the adversarial terms join; 0 = GAN from step 1.
    gan_start: float = 0.0
    # bfloat16 autocast where the device computes it natively (training.device); a preset may
    # opt out where it measured worse (body cpu-preview).
    autocast: bool = True
    # Decay per step of the exponential moving average of the family's `averaged` models
    # (training.weight_average); 0 = no average, the trained weights render.
    ema_decay: float = 0.0


def linear_decay(progress: float, start: float, end: float = 1.0) -> float:
    """1 before `start`, falling linearly to 0 at `end` (both fractions of the budget)."""
    if progress <= start or end <= start:
        return 1.0 if progress < end else 0.0
    return max(0.0, (end - progress) / (end - start))


@contextmanager
def frozen(*modules: nn.Module) -> Iterator[None]:
    """The modules' parameters stop requiring gradients for the forward passes inside the block.

    Why: a generator's adversarial loss back-propagates through the discriminator to its input;
    without this, that backward also computes the discriminator's own weight gradients, which
    the discriminator's next update discards (zero_grad): about half of that backward.
    In a multi-process run the block's passes also skip gradient averaging (none to average)."""
    params = [p for m in modules for p in m.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        with ExitStack() as stack:
            for m in modules:
                stack.enter_context(local_only(m))
            yield
    finally:
        for p in params:
            p.requires_grad_(True)


@dataclass
class RunState:
    """What a family's step/eval functions operate on."""

    cfg: Any
    data: Any
    models: dict[str, nn.Module]
    opts: dict[str, Any]
    dev: DeviceInfo
    rng: np.random.Generator
    progress: float = 0.0  # share of the budget used so far, 0..1 (the loop sets it each step)
    extras: dict = field(default_factory=dict)
    rank: int = 0  # this process among `world_size` training processes (training.distributed)
    world_size: int = 1

    def shard(self, items: Any) -> Any:
        """This process's disjoint share of the training positions `items` (every
        `world_size`-th one from `rank`): a family samples its batch from it. Fewer items than
        processes: all of them (an empty share has nothing to sample)."""
        part = items[self.rank :: self.world_size]
        return part if len(part) else items


class Family(ABC):
    """The training hooks of one family. `presets`: its named configs (preset name -> config)."""

    name: str = ""
    presets: Mapping[str, BasePreset] = {}
    # Models whose weight average (preset `ema_decay`) evaluates and renders in their place.
    averaged: tuple[str, ...] = ()

    @abstractmethod
    def load_data(self, cfg: Any, run: Any, ctx: JobContext) -> Any:
        """Build the dataset (clips + tracks -> cached training samples, held-out split)."""

    @abstractmethod
    def build(self, cfg: Any, data: Any, dev: DeviceInfo) -> tuple[dict[str, nn.Module], dict[str, Any]]:
        """Networks (name -> module, on dev) and optimizers (name -> optimizer)."""

    @abstractmethod
    def train_step(self, s: RunState, step: int) -> dict[str, float]:
        """One optimization step; returns scalar losses for logging."""

    @abstractmethod
    def evaluate(self, s: RunState, final: bool, ctx: JobContext) -> dict[str, float]:
        """Held-out metrics (final=True: the full report, e.g. with baselines)."""

    @abstractmethod
    def sample(self, s: RunState) -> np.ndarray:
        """A preview strip (H, W, 3) float32 [0, 1]: conditioning | output | real."""

    def lr_factor(self, cfg: Any, optimizer: str, progress: float) -> float:
        """Learning-rate multiplier of optimizer `optimizer` at `progress` (fraction of the budget)."""
        return linear_decay(progress, cfg.lr_decay_from)

    def describe(self, cfg: Any, data: Any) -> dict:
        """Extra checkpoint metadata (resolution, training clip hashes, ...)."""
        return {}
