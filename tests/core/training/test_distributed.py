"""Multi-process training on the CPU (gloo): every rank holds the same weights after every step,
the same as one process training on the concatenated batch; a killed worker restarted by
torchrun resumes from the last checkpoint; a 2-process checkpoint renders in one process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch.multiprocessing as mp

from render_core.errors import InputError
from render_core.jobs import null_context
from render_core.training import checkpoint as ckpt
from render_core.training import distributed as dist
from render_core.training.trainer import run_training
from tests.conftest import REPO
from tests.core.conftest import make_cfg
from tests.core.training.distributed_workers import Recorded, TinyFamily, spawned, tiny_config, weights

TORCHRUN = Path(sys.executable).with_name("torchrun")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _two_ranks(tmp_path: Path, make_family, cfg) -> tuple[np.ndarray, np.ndarray]:
    """Weight traces (steps, n) of rank 0 and rank 1 of a 2-process run."""
    mp.spawn(spawned, args=(2, _free_port(), str(tmp_path), make_family, cfg), nprocs=2, join=True)
    return np.load(tmp_path / "trace0.npy"), np.load(tmp_path / "trace1.npy")


@pytest.mark.slow
def test_two_processes_train_the_concatenated_batch_in_lockstep(tmp_path):
    steps = 4
    rank0, rank1 = _two_ranks(tmp_path, TinyFamily, tiny_config(tmp_path / "two", steps, True))
    assert rank0.shape[0] == steps
    assert np.array_equal(rank0, rank1)  # after every step
    one = TinyFamily()
    run_training(tiny_config(tmp_path / "one", steps, False), one, null_context())
    assert np.allclose(rank0, np.stack(one.trace), rtol=1e-5, atol=1e-6)
    assert not np.allclose(rank0[0], rank0[-1])  # it did train
    # the checkpoint holds the weights every rank ended with, unprefixed, as one process saves
    saved = ckpt.load_checkpoint(tmp_path / "two")
    assert saved.meta["processes"] == 2 and saved.meta["step"] == steps
    assert np.array_equal(_restored(saved), rank0[-1])


@pytest.mark.slow
def test_a_cancel_on_rank_0_stops_every_rank_at_the_same_step_with_a_checkpoint(tmp_path):
    cfg = tiny_config(tmp_path / "ck", 50, True)
    mp.spawn(spawned, args=(2, _free_port(), str(tmp_path), TinyFamily, cfg, 2), nprocs=2, join=True)
    assert (tmp_path / "cancelled0").exists() and (tmp_path / "cancelled1").exists()
    rank0, rank1 = np.load(tmp_path / "trace0.npy"), np.load(tmp_path / "trace1.npy")
    assert len(rank0) == len(rank1) == 3 and np.array_equal(rank0, rank1)  # steps 0, 1, 2
    saved = ckpt.load_checkpoint(tmp_path / "ck")
    assert saved.meta["step"] == 3 and np.array_equal(_restored(saved), rank0[-1])


def _restored(saved: ckpt.Checkpoint) -> np.ndarray:
    """The tiny family's weights as `weights` flattens them, from a checkpoint."""
    fam = TinyFamily()
    models, _ = fam.build(fam.presets["tiny"], None, None)
    ckpt.restore(saved, models)
    return weights(models)


def _portrait() -> Recorded:
    from render_core.families.registry import get_family

    return Recorded(get_family("portrait"))


@pytest.mark.slow
def test_portrait_two_processes_stay_equal_and_render_in_one(tracked, tmp_path):
    from render_core.contract import FrameRequest
    from render_core.families.registry import load_renderer
    from render_core.media.decode import VideoReader
    from render_core.media.frames import to_float
    from render_core.states import FaceState
    from render_core.tracking.tracks import Tracks

    cfg = make_cfg(tracked, tmp_path / "ck", steps=3, distributed=True, overrides={"gan_start": 0.0})
    rank0, rank1 = _two_ranks(tmp_path, _portrait, cfg)
    assert len(rank0) == 3 and np.array_equal(rank0, rank1)
    meta = ckpt.load_checkpoint(tmp_path / "ck").meta
    assert meta["processes"] == 2 and "psnr" in meta["metrics"]
    r = load_renderer("portrait", tmp_path / "ck", "cpu")
    face = Tracks.load(tracked[1]).face
    with VideoReader(tracked[0]) as reader:
        frame = to_float(reader.read(0))
    state = FaceState(face.landmarks[0], face.head_pose[0], face.iris[0], face.focal, (0.0, 0.0))
    out = r.render(FrameRequest(0, frame, face=state, face_edit=state))
    assert out.image.shape == frame.shape and np.isfinite(out.image).all()


@pytest.mark.slow
def test_torchrun_restarts_a_killed_worker_from_the_last_checkpoint(tmp_path):
    steps, kill_at = 8, 5  # checkpoints every 2 steps: the last one before the kill is step 4
    cmd = [
        str(TORCHRUN), "--standalone", "--nproc-per-node", "2", "--max-restarts", "1",
        "--monitor-interval", "0.2", "-m", "tests.core.training.distributed_workers",
        str(tmp_path), str(steps), str(kill_at),
    ]  # fmt: skip
    env = {**os.environ, "RENDER_CPU_THREADS": "1", "OMP_NUM_THREADS": "1"}
    r = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    starts = sorted((tmp_path / "starts.txt").read_text().split("\n")[:-1])
    assert starts == ["1 0 4", "1 1 4"]  # only the restarted attempt finished, both from step 4
    resumed = ckpt.load_checkpoint(tmp_path / "ck")
    assert resumed.meta["step"] == steps
    one = TinyFamily()
    run_training(tiny_config(tmp_path / "one", steps, False), one, null_context())
    assert np.allclose(_restored(resumed), one.trace[-1], rtol=1e-5, atol=1e-6)  # as if never killed


def test_distributed_outside_torchrun_is_a_one_line_input_error(monkeypatch, tmp_path):
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(k, raising=False)
    with pytest.raises(InputError, match="torchrun"):
        run_training(tiny_config(tmp_path / "ck", 1, True), TinyFamily(), null_context())


def test_shards_are_disjoint_and_cover_the_positions():
    from render_core.training.family import RunState

    items = np.arange(11)
    parts = [RunState(None, None, {}, {}, None, None, rank=r, world_size=3).shard(items) for r in range(3)]
    assert sorted(np.concatenate(parts).tolist()) == items.tolist()
    assert RunState(None, None, {}, {}, None, None, rank=2, world_size=3).shard(items[:2]).tolist() == [0, 1]


def test_several_cuda_processes_take_their_local_rank():
    world = dist.World(rank=3, size=4, local_rank=1, local_size=2)
    assert dist.device_kind("cpu", world) == "cpu"
    assert dist.device_kind("cuda", dist.SINGLE) == "cuda"
    if shutil.which("nvidia-smi"):
        assert dist.device_kind("cuda", world) == "cuda:1"
    with pytest.raises(InputError, match="LOCAL_RANK"):
        dist.device_kind("cuda:0", world)
