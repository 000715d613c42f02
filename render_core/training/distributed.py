"""Data-parallel training over several processes with torch.distributed, launched by torchrun.

Every process (rank) builds the same networks from the same seed, trains on its own disjoint
shard of the training positions (`RunState.shard`), and its models are wrapped in
DistributedDataParallel, which averages the gradients of all ranks during backward: each
optimizer step then applies the gradient of the concatenated batch, so N processes train one
model on N times the frames per step. Backend: NCCL on CUDA (one GPU per process, cuda:LOCAL_RANK),
gloo on the CPU. Only rank 0 writes checkpoints, samples, logs and held-out reports; every rank
resumes from the same checkpoint.

The process group comes from torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK,
LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT); see docs/distributed.md for the commands.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import torch
from torch import distributed as tdist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from render_core.errors import InputError

# Long enough for rank 0's held-out evaluation while the others wait at their next all-reduce;
# a dead worker is detected by torchrun's agent, not by this timeout.
COLLECTIVE_TIMEOUT = timedelta(hours=2)
_ENV = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


@dataclass(frozen=True)
class World:
    """This process's place among the training processes (a 1-process run: rank 0 of 1)."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0
    local_size: int = 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the process that writes checkpoints, samples, logs and reports."""
        return self.rank == 0


SINGLE = World()


def world_from_env() -> World:
    """The world torchrun describes in the environment; InputError outside torchrun."""
    missing = [k for k in _ENV if k not in os.environ]
    if missing:
        raise InputError(
            None,
            f"--distributed runs under torchrun (missing {', '.join(missing)}); "
            "e.g. torchrun --nproc-per-node 2 main.py train portrait ... --distributed",
        )
    size = int(os.environ["WORLD_SIZE"])
    local_size = int(os.environ.get("LOCAL_WORLD_SIZE", size))
    return World(int(os.environ["RANK"]), size, int(os.environ["LOCAL_RANK"]), local_size)


def device_kind(requested: str, world: World) -> str:
    """The device this rank trains on: with several processes on CUDA, cuda:LOCAL_RANK (one GPU
    per process; restrict the GPUs with CUDA_VISIBLE_DEVICES)."""
    if world.size == 1 or not requested.startswith(("cuda", "auto")):
        return requested
    if requested == "auto" and not torch.cuda.is_available():
        return "cpu"
    if requested not in ("auto", "cuda"):
        raise InputError(
            None, f"--device {requested}: several processes take cuda:LOCAL_RANK; pass --device cuda"
        )
    return f"cuda:{world.local_rank}"


def start(world: World, device: torch.device) -> bool:
    """Join the process group (NCCL on CUDA, gloo on the CPU); False when there is nothing to
    join (one process, or a group already started by the caller)."""
    if world.size == 1 or tdist.is_initialized():
        return False
    backend = "nccl" if device.type == "cuda" else "gloo"
    kwargs = {"device_id": device} if device.type == "cuda" else {}
    store, rank, size = next(tdist.rendezvous("env://", timeout=COLLECTIVE_TIMEOUT))
    # torchrun's store outlives a restart: without a prefix per attempt, the restarted workers
    # read the dead workers' addresses (connection refused, or a hang).
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
    store = tdist.PrefixStore(f"render_core/attempt{attempt}", store)
    tdist.init_process_group(
        backend, store=store, rank=rank, world_size=size, timeout=COLLECTIVE_TIMEOUT, **kwargs
    )
    return True


def stop(started: bool) -> None:
    """Leave the process group this module joined."""
    if started and tdist.is_initialized():
        tdist.destroy_process_group()


def cpu_threads_per_process(world: World) -> int:
    """Torch threads of one CPU rank: the machine's cores split among this machine's ranks
    (`RENDER_CPU_THREADS` overrides). Why: more threads than cores spin-wait on each other."""
    if os.environ.get("RENDER_CPU_THREADS"):
        return max(1, int(os.environ["RENDER_CPU_THREADS"]))
    return max(1, (os.cpu_count() or 1) // world.local_size)


@contextlib.contextmanager
def rank_zero_first(world: World) -> Iterator[None]:
    """Rank 0 runs the block before the others: it tracks the clip and fills the project's
    tracks cache, which the others then read instead of tracking the clip again."""
    if world.size > 1 and not world.is_main:
        tdist.barrier()
    yield
    if world.size > 1 and world.is_main:
        tdist.barrier()


def barrier(world: World) -> None:
    if world.size > 1:
        tdist.barrier()


def agree(world: World, progress: float, done: bool, cancelled: bool, device: torch.device):
    """(progress, done, cancelled) the same on every rank: rank 0's budget (wall-clock budgets
    differ per process) and a cancel on any rank, so all ranks stop at the same step."""
    if world.size == 1:
        return progress, done, cancelled
    main = 1.0 if world.is_main else 0.0
    t = torch.tensor(
        [progress * main, float(done) * main, float(cancelled)], dtype=torch.float64, device=device
    )
    tdist.all_reduce(t)
    return float(t[0]), bool(t[1] > 0), bool(t[2] > 0)


class Replicated(DistributedDataParallel):
    """DistributedDataParallel that stands in for its module wherever a family uses one.

    state_dict / load_state_dict are the module's own (no "module." prefix), so checkpoints and
    weight averages read the same keys in 1 and N processes. Methods of the module other than
    forward (a generator's `sequence`) run through DDP's forward bookkeeping, so the gradients
    of what they compute are averaged like a forward call's."""

    def state_dict(self, *args, **kwargs):
        return self.module.state_dict(*args, **kwargs)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        return self.module.load_state_dict(state_dict, strict=strict, assign=assign)

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name == "module" or "module" not in self.__dict__["_modules"]:
                raise
        attr = getattr(self.__dict__["_modules"]["module"], name)
        if inspect.ismethod(attr):
            return functools.partial(self._synced_call, attr)
        return attr

    def _synced_call(self, method, *args, **kwargs):
        args, kwargs = self._pre_forward(*args, **kwargs)
        return self._post_forward(method(*args, **kwargs))


def wrap(models: dict[str, nn.Module], world: World, device: torch.device) -> dict[str, nn.Module]:
    """Each model with trainable weights wrapped for gradient averaging (others, e.g. weight
    averages, as they are). Wrapping broadcasts rank 0's weights, so all ranks start equal."""
    if world.size == 1:
        return models
    ids = [device.index] if device.type == "cuda" else None
    # forward_sync_buffers=False: no collective in a forward pass, so rank 0 alone can evaluate.
    return {
        k: Replicated(m, device_ids=ids, forward_sync_buffers=False)
        if any(p.requires_grad for p in m.parameters())
        else m
        for k, m in models.items()
    }


def unwrap(models: dict[str, nn.Module]) -> dict[str, nn.Module]:
    """The plain modules (what checkpoints, evaluation and samples use)."""
    return {k: m.module if isinstance(m, DistributedDataParallel) else m for k, m in models.items()}


def local_only(module: nn.Module) -> contextlib.AbstractContextManager:
    """No gradient averaging for passes inside the block (a frozen discriminator's pass that
    only carries a generator's gradient): DDP would otherwise wait for gradients of weights
    the pass never produces."""
    return module.no_sync() if isinstance(module, DistributedDataParallel) else contextlib.nullcontext()
