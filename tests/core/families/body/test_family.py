"""Body family under the shared trainer: every preset smoke-trains, 16 real frames overfit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from render_core.families.body.data import build_body_frames, consecutive_pairs, person_crop
from render_core.families.body.family import BodyData, BodyFamily
from render_core.families.body.networks import BodyGenerator, BodyGeneratorConfig
from render_core.families.body.novelty import BANK_SPACING, bank_from_json, novelty
from render_core.families.registry import get_preset, preset_names
from render_core.families.train import train_model
from render_core.jobs import null_context
from render_core.training import checkpoint as ckpt
from render_core.training.device import select_device
from render_core.training.family import RunState
from render_core.training.split import heldout_split
from render_core.training.trainer import TrainConfig
from tests.conftest import footage_path

CLIP = "B_musepose_ubcfashion_91BjuE6irxS.mp4"
N_FRAMES = 20
SMALL = {"resolution": 96, "width": 48, "d_layers": 2, "face_size": 24, "face_start": 0.5, "batch_size": 1}


@pytest.fixture(scope="module")
def clip_and_tracks(tmp_path_factory) -> tuple[Path, Path]:
    """The first frames of the shared dance clip and their MediaPipe body track."""
    from render_core.media.decode import VideoReader
    from render_core.tracking.body import BodyTracker
    from render_core.tracking.tracks import BodyTrack, Tracks

    clip = footage_path(CLIP)
    joints = np.full((N_FRAMES, 33, 4), np.nan, np.float32)
    with VideoReader(clip) as reader, BodyTracker() as tracker:
        for i, frame in reader.frames(0, N_FRAMES):
            j, _ = tracker.process(frame)
            if j is not None:
                joints[i] = j
    path = tmp_path_factory.mktemp("body") / "tracks.npz"
    Tracks(None, BodyTrack(joints, np.isfinite(joints[:, 0, 0]))).save(path)
    return clip, path


@pytest.mark.parametrize("preset", ["cpu-preview", "gpu-quality"])
def test_every_preset_smoke_trains_two_steps(preset, clip_and_tracks, tmp_path, monkeypatch):
    import render_core.families.body.family as body_family
    from render_core.tracking.tracks import Tracks

    seen = {}  # the joints the held-out report measures the re-tracked frames against

    def full_report(fakes, reals, joints, baseline):
        seen["joints"] = joints
        return report(fakes, reals, joints, baseline)

    report = body_family.full_report
    monkeypatch.setattr(body_family, "full_report", full_report)
    assert preset in preset_names("body")
    clip, tracks = clip_and_tracks
    shrink = dict(SMALL, n_blocks=1, max_channels=64) if preset == "gpu-quality" else SMALL
    cfg = TrainConfig("body", [clip], tmp_path / "ck", preset, tracks=[tracks], steps=2, device="cpu",
                      overrides=shrink, max_frames=N_FRAMES, tensorboard=False)  # fmt: skip
    result = train_model(cfg, null_context())
    meta = ckpt.load_checkpoint(result.checkpoint).meta
    assert result.steps == 2 and meta["family"] == "body" and meta["preset"] == preset
    assert meta["normalization"]["close_y"] >= meta["normalization"]["far_y"]
    for key in ("psnr", "ssim", "baseline_psnr", "ewarp", "ewarp_real", "pose_dist_real_px"):
        assert np.isfinite(result.metrics[key]), key
    # Input joints moved to where the crop images hold them (cv2's pixel centres).
    crop = ckpt.load_checkpoint(result.checkpoint).meta["crop"]
    heldout = np.arange(N_FRAMES)[-len(seen["joints"]) :]
    joints = Tracks.load(tracks).body.joints[heldout, :, :2]
    expected = (joints - [crop["x0"], crop["y0"]]) * crop["s"] + 0.5 * (1 - crop["s"])
    np.testing.assert_allclose(seen["joints"][..., :2], expected, atol=1e-4)
    # The pose bank (the renderer's novelty reference) holds every training frame's pose.
    bank = bank_from_json(meta["pose_bank"])
    train = np.concatenate([np.arange(a, b + 1) for a, b in meta["train_runs"]])
    gap = novelty(Tracks.load(tracks).body.joints[train], bank)
    assert 1 <= len(bank) <= len(train) and (gap[np.isfinite(gap)] < BANK_SPACING).all()
    assert np.isfinite(gap).sum() >= len(train) // 2


def test_gpu_quality_uses_the_paper_global_generator():
    cfg = get_preset("body", "gpu-quality")
    assert (cfg.resolution, cfg.width) == (512, 256)
    g = BodyGenerator(BodyGeneratorConfig(cfg.ngf, cfg.n_down, cfg.n_blocks, cfg.max_channels))
    n = sum(p.numel() for p in g.parameters())
    assert 170e6 < n < 200e6  # pix2pixHD's global generator (ngf 64, 4 downs, 9 blocks): ~182 M


def _tiny_data(clip: Path, tracks_path: Path, n: int) -> BodyData:
    from render_core.geometry.pose_normalization import NormalizationStats
    from render_core.media.decode import VideoReader
    from render_core.tracking.tracks import Tracks

    body = Tracks.load(tracks_path).body
    joints, valid = body.joints[:n], body.valid[:n]
    crop = person_crop(joints, valid, (64, 32))
    with VideoReader(clip) as reader:
        frames = build_body_frames(reader.frames(0, n), joints, valid, crop)
    split = heldout_split(np.ones(n, bool), fraction=0.0, min_heldout=0)
    stats = NormalizationStats.from_joints(joints, valid)
    return BodyData(clip, "", frames, split, consecutive_pairs(valid, split.train), stats)


def test_overfitting_16_real_frames_halves_the_loss(clip_and_tracks):
    torch.manual_seed(0)
    small = {"resolution": 64, "width": 32, "d_layers": 2, "d_scales": 1, "n_blocks": 2, "face_start": 2.0}
    cfg = get_preset("body", "cpu-preview", {**small, "batch_size": 2, "lr": 1e-3})
    fam, dev = BodyFamily(), select_device("cpu")
    data = _tiny_data(*clip_and_tracks, 16)
    models, opts = fam.build(cfg, data, dev)
    s = RunState(cfg, data, models, opts, dev, np.random.default_rng(0))
    l1 = [fam.train_step(s, step)["l1"] for step in range(16)]
    first, last = np.mean(l1[:3]), np.mean(l1[-4:])
    assert last <= 0.5 * first, (first, last)


def test_shift_batch_moves_pose_frames_and_face_joints_together():
    from render_core.families.body.family import shift_batch
    from render_core.families.body.step import PairBatch

    x = torch.arange(2 * 3 * 6 * 5, dtype=torch.float32).reshape(2, 3, 6, 5)
    b = PairBatch(x, x + 1, x + 2, x + 3, np.zeros((2, 33, 4), np.float32))
    out = shift_batch(b, np.array([[2, 1], [-1, 0]]))
    # first pair: 2 px right, 1 down, the border repeated
    assert torch.equal(out.p0[0, 0, 1:, 2:], x[0, 0, :-1, :-2])
    assert torch.equal(out.p0[0, 0, 0, 2:], x[0, 0, 0, :-2]) and torch.equal(
        out.p0[0, 0, :, 0], out.p0[0, 0, :, 2]
    )
    # second pair: 1 px left; every tensor of the pair moves alike
    assert torch.equal(out.r1[1, :, :, :-1], x[1, :, :, 1:] + 3) and torch.equal(
        out.r1[1, :, :, -1], x[1, :, :, -1] + 3
    )
    assert torch.equal(out.p1 - out.p0, torch.ones_like(x))
    assert out.joints1[0, 0, :2].tolist() == [2, 1] and out.joints1[1, 0, :2].tolist() == [-1, 0]
    assert shift_batch(b, np.zeros((2, 2), int)) is b


def test_shift_augment_applies_only_before_shift_until(clip_and_tracks, monkeypatch):
    import render_core.families.body.family as bf

    cfg = get_preset(
        "body", "cpu-preview", {**SMALL, "shift_augment": 0.1, "shift_until": 0.5, "face_start": 2.0}
    )
    fam, dev = BodyFamily(), select_device("cpu")
    data = _tiny_data(*clip_and_tracks, 8)
    models, opts = fam.build(cfg, data, dev)
    s = RunState(cfg, data, models, opts, dev, np.random.default_rng(0))
    calls = []
    real = bf.shift_batch
    monkeypatch.setattr(bf, "shift_batch", lambda b, sh: calls.append(sh) or real(b, sh))
    for progress in (0.1, 0.4, 0.6):
        s.progress = progress
        assert np.isfinite(fam.train_step(s, 0)["l1"])
    assert len(calls) == 2 and all(np.abs(c).max() <= round(0.1 * cfg.width) for c in calls)


def test_the_weight_average_is_saved_renders_and_starts_on_resume(clip_and_tracks, tmp_path):
    from render_core.families.body.config import BodyConfig
    from render_core.training.inference import open_checkpoint

    clip, tracks = clip_and_tracks
    out = tmp_path / "ck"

    def run(steps: int, resume: bool, **extra):
        cfg = TrainConfig("body", [clip], out, "cpu-preview", tracks=[tracks], steps=steps, resume=resume,
                          device="cpu", overrides={**SMALL, "face_start": 2.0, **extra}, max_frames=N_FRAMES,
                          tensorboard=False)  # fmt: skip
        return ckpt.load_checkpoint(train_model(cfg, null_context()).checkpoint)

    old = run(2, False, ema_decay=0.0)  # as trained before averages existed
    assert set(old.models) == {"G", "D", "DT", "F", "DF"}
    ck = run(4, True, ema_decay=0.5)  # the average starts at the resumed weights
    assert ck.meta["step"] == 4 and ck.meta["config"]["ema_decay"] == 0.5
    trained, avg = ck.models["G"], ck.models["G_avg"]
    assert any(not torch.equal(trained[k], avg[k]) for k in trained)  # 2 updates behind, halved
    assert not any(torch.equal(old.models["G"][k], avg[k]) for k in avg if k.endswith("weight"))
    rendered = open_checkpoint(out, BodyConfig, "cpu").checkpoint.models
    assert "G_avg" not in rendered and all(torch.equal(rendered["G"][k], avg[k]) for k in avg)


def test_the_face_stage_trains_on_the_averaged_generator(clip_and_tracks):
    from render_core.training.weight_average import add_averages, update_averages

    cfg = get_preset("body", "cpu-preview", {**SMALL, "face_start": 0.5, "ema_decay": 0.5})
    fam, dev = BodyFamily(), select_device("cpu")
    data = _tiny_data(*clip_and_tracks, 8)
    models, opts = fam.build(cfg, data, dev)
    add_averages(models, fam.averaged)
    s = RunState(cfg, data, models, opts, dev, np.random.default_rng(0))
    s.progress = 0.1
    fam.train_step(s, 0)
    update_averages(models, fam.averaged, cfg.ema_decay)
    avg = {k: v.clone() for k, v in models["G_avg"].state_dict().items()}
    assert any(not torch.equal(models["G"].state_dict()[k], avg[k]) for k in avg)
    s.progress = 0.6
    fam.train_step(s, 1)  # the face stage: G frozen at its average
    assert all(torch.equal(models["G"].state_dict()[k], avg[k]) for k in avg)
