"""Several training processes on this machine without torchrun (the studio's "processes: N").

This process is rank 0: it keeps the job's progress, events and cancellation; ranks 1..N-1 are
started with the spawn method and given torchrun's environment, so the loop runs exactly as it
does under torchrun (training.distributed). A helper that dies ends rank 0's next all-reduce
with an error; rank 0 ending (done, cancelled or failed) stops the helpers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import torch.multiprocessing as mp

from render_core.jobs import JobContext


def free_port() -> int:
    """A TCP port free on localhost now (the process group's rendezvous)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _helper_main(helper: Callable[[Any], Any], cfg: Any, env: dict[str, str]) -> None:
    os.environ.update(env)
    helper(cfg)


def run_local(cfg: Any, ctx: JobContext, processes: int, train: Callable, helper: Callable) -> Any:
    """`train(cfg, ctx)` as rank 0 of `processes`; `helper(cfg)` (a module-level function: it
    is pickled) trains each other rank. `cfg` is a TrainConfig; the ranks get it with
    `distributed` set and, in the helpers, without the event callback (rank 0 emits)."""
    env = {
        "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(free_port()),
        "WORLD_SIZE": str(processes), "LOCAL_WORLD_SIZE": str(processes),
    }  # fmt: skip
    cfg = dataclasses.replace(cfg, distributed=True)
    spawn = mp.get_context("spawn")
    helpers = [
        spawn.Process(
            target=_helper_main,
            args=(
                helper,
                dataclasses.replace(cfg, on_event=None),
                {**env, "RANK": str(r), "LOCAL_RANK": str(r)},
            ),
            daemon=True,
        )
        for r in range(1, processes)
    ]
    for p in helpers:
        p.start()
    try:
        with _environ({**env, "RANK": "0", "LOCAL_RANK": "0"}):
            return train(cfg, ctx)
    finally:
        for p in helpers:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
                p.join()
