"""Process entry points for the multi-process training tests: a tiny family with the shapes of
a GAN step (a generator method call, a frozen discriminator pass, two discriminator passes
per update), a recorder of every rank's weights after each step, and a torchrun worker.

`python -m tests.core.training.distributed_workers OUT STEPS KILL_AT` is what torchrun runs.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from render_core.jobs import Cancelled, JobContext, null_context
from render_core.training.family import BasePreset, Family, RunState, frozen
from render_core.training.trainer import TrainConfig, run_training

N_ITEMS = 8
TINY_PRESETS = {
    "tiny": BasePreset(
        resolution=4, lr=1e-2, checkpoint_every=2, eval_every=10_000, sample_every=10_000, autocast=False
    )
}


class TinyGenerator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def sequence(self, xs: list[torch.Tensor]) -> list[torch.Tensor]:
        """Called instead of forward, as the body generator's `sequence` is."""
        return [self(x) for x in xs]


@dataclass
class TinyData:
    x: torch.Tensor
    y: torch.Tensor
    train: np.ndarray


class TinyFamily(Family):
    """Full-shard batches: each rank's batch is its whole shard, so a 1-process run's batch is
    exactly the two ranks' batches concatenated."""

    name = "tiny"
    presets = TINY_PRESETS

    def __init__(self) -> None:
        self.trace: list[np.ndarray] = []  # every weight after each step
        self.first_step: int | None = None
        self.kill_at: int | None = None
        self.cancel_at: tuple[int, JobContext] | None = None  # (step, the job to cancel in it)

    def load_data(self, cfg, run, ctx) -> TinyData:
        g = torch.Generator().manual_seed(1)
        return TinyData(
            torch.randn(N_ITEMS, 4, generator=g), torch.rand(N_ITEMS, 3, generator=g), np.arange(N_ITEMS)
        )

    def build(self, cfg, data, dev):
        g, d = TinyGenerator(), nn.Linear(7, 1)
        opts = {
            k: torch.optim.Adam(m.parameters(), lr=cfg.lr, betas=(cfg.beta1, 0.999))
            for k, m in (("G", g), ("D", d))
        }
        return {"G": g, "D": d}, opts

    def train_step(self, s: RunState, step: int) -> dict[str, float]:
        if self.first_step is None:
            self.first_step = step
        if self.kill_at == step:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.cancel_at is not None and self.cancel_at[0] == step:
            self.cancel_at[1].cancel()
        pos = torch.as_tensor(s.shard(s.data.train))
        x, y = s.data.x[pos], s.data.y[pos]
        g, d = s.models["G"], s.models["D"]
        fake = g.sequence([x])[0]
        real_logit, fake_logit = d(torch.cat([x, y], 1)), d(torch.cat([x, fake.detach()], 1))
        loss_d = F.softplus(-real_logit).mean() + F.softplus(fake_logit).mean()
        s.opts["D"].zero_grad()
        loss_d.backward()
        s.opts["D"].step()
        with frozen(d):
            adv = F.softplus(-d(torch.cat([x, fake], 1))).mean()
        loss_g = F.l1_loss(fake, y) + 0.1 * adv
        s.opts["G"].zero_grad()
        loss_g.backward()
        s.opts["G"].step()
        self.trace.append(weights(s.models))
        return {"l1": float(loss_g.detach())}

    def evaluate(self, s, final, ctx):
        with torch.no_grad():
            return {"l1": float(F.l1_loss(s.models["G"](s.data.x), s.data.y))}

    def sample(self, s):
        return np.zeros((4, 4, 3), np.float32)


def weights(models: dict[str, nn.Module]) -> np.ndarray:
    """Every parameter of the models, flattened in name order."""
    return torch.cat([p.detach().flatten() for k in sorted(models) for p in models[k].parameters()]).numpy()


class Recorded(Family):
    """A real family's hooks, with every rank's weights recorded after each step."""

    def __init__(self, inner: Family) -> None:
        self.inner, self.name, self.presets, self.averaged = inner, inner.name, inner.presets, inner.averaged
        self.trace: list[np.ndarray] = []

    def load_data(self, cfg, run, ctx):
        return self.inner.load_data(cfg, run, ctx)

    def build(self, cfg, data, dev):
        return self.inner.build(cfg, data, dev)

    def train_step(self, s, step):
        losses = self.inner.train_step(s, step)
        self.trace.append(weights(s.models))
        return losses

    def evaluate(self, s, final, ctx):
        return self.inner.evaluate(s, final, ctx)

    def sample(self, s):
        return self.inner.sample(s)

    def lr_factor(self, cfg, optimizer, progress):
        return self.inner.lr_factor(cfg, optimizer, progress)

    def describe(self, cfg, data):
        return self.inner.describe(cfg, data)


def tiny_config(out: Path, steps: int, distributed: bool) -> TrainConfig:
    return TrainConfig(
        "tiny",
        [],
        out,
        "tiny",
        steps=steps,
        device="cpu",
        tensorboard=False,
        resume=distributed,  # a torchrun restart resumes with the first start's command line
        distributed=distributed,
    )


def spawned(
    rank: int, world: int, port: int, out: str, make_family, cfg: TrainConfig, cancel_at: int | None = None
) -> None:
    """torch.multiprocessing.spawn's entry: torchrun's environment, then one training process;
    the rank's weight trace goes to OUT/trace<rank>.npy. `cancel_at`: rank 0's job is
    cancelled during that step (as a pause in the studio cancels it)."""
    os.environ.update(
        MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world),
        LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(world), RENDER_CPU_THREADS="1",
    )  # fmt: skip
    family, ctx = make_family(), JobContext()
    if cancel_at is not None and rank == 0:
        family.cancel_at = (cancel_at, ctx)
    try:
        run_training(cfg, family, ctx)
    except Cancelled:
        Path(out, f"cancelled{rank}").touch()
    np.save(Path(out) / f"trace{rank}.npy", np.stack(family.trace))


def torchrun_main(out: str, steps: int, kill_at: int) -> None:
    """One torchrun worker of the tiny family; rank 1 of the first attempt kills itself at step
    `kill_at`. Each attempt's first step goes to OUT/starts.txt."""
    attempt = int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0"))
    family = TinyFamily()
    if os.environ["RANK"] == "1" and attempt == 0:
        family.kill_at = kill_at
    run_training(tiny_config(Path(out) / "ck", steps, True), family, null_context())
    with open(Path(out) / "starts.txt", "a") as f:
        f.write(f"{attempt} {os.environ['RANK']} {family.first_step}\n")


if __name__ == "__main__":
    torchrun_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
