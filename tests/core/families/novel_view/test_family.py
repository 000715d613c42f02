import json
from pathlib import Path

import av
import numpy as np
import pytest
import torch

from render_core.contract import FrameRequest
from render_core.families.novel_view.config import PRESETS
from render_core.families.novel_view.data import load_views
from render_core.families.novel_view.networks import DeepVoxels
from render_core.families.novel_view.sampling import CoordCache
from render_core.families.novel_view.step import render_capture_views, train_step
from render_core.families.registry import get_family, get_preset, load_renderer
from render_core.jobs import null_context
from render_core.project.capture import read_capture, save_capture
from render_core.render.camera_path import PathRenderConfig, render_image_set
from render_core.states import CameraState
from render_core.training.trainer import TrainConfig, run_training

# Small enough for a CPU test; the presets' widths stay as they are.
TINY = {"resolution": 32, "grid": 10, "depth_samples": 12, "eval_frames": 2}


def _project(llff_set: Path, tmp_path: Path) -> Path:
    cap = save_capture(
        read_capture(llff_set), tmp_path / "set.rfproj" / "captures" / "sphere" / "capture.json"
    )
    return cap


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_trains_two_steps_and_reports(preset, llff_set, tmp_path):
    torch.set_num_threads(1)
    cap = _project(llff_set, tmp_path)
    out = tmp_path / "set.rfproj" / "models" / f"novel_view-{preset}"
    cfg = TrainConfig("novel_view", [cap], out, preset=preset, steps=2, overrides=TINY, tensorboard=False)
    res = run_training(cfg, get_family("novel_view"), null_context())
    assert res.steps == 2
    for key in (
        "psnr",
        "ssim",
        "psnr_mask",
        "nearest_psnr",
        "nearest_psnr_mask",
        "homography_psnr_mask",
        "gain_db",
    ):
        assert np.isfinite(res.metrics[key])
    assert res.metrics["heldout_views"] == 2  # views 0 and 8 of 12: every 8th
    assert Path(res.meta["contact_sheet"]).is_file()
    assert json.loads((out / "model.json").read_text())["family"] == "novel_view"


@pytest.mark.slow
def test_the_model_learns_the_training_views(llff_set):
    """L1 on the training views falls well below where it starts (real learning, not a stub)."""
    torch.manual_seed(0)
    torch.set_num_threads(1)
    cfg = get_preset("novel_view", "cpu-preview", {**TINY, "lr": 1e-3})
    views = load_views(read_capture(llff_set), cfg, null_context())
    model = DeepVoxels(cfg)
    opt = torch.optim.Adam(model.parameters(), cfg.lr)
    cache = CoordCache(views.box, cfg.grid, cfg.depth_samples)
    rng = np.random.default_rng(0)
    losses = [
        train_step(model, opt, cache, views, int(rng.choice(views.train)), cfg)["l1"] for _ in range(60)
    ]
    assert np.mean(losses[-10:]) < 0.6 * np.mean(losses[:5])
    fake = render_capture_views(model, cache, views, views.train[:1])[0]
    real = views.images[views.train[0]].permute(1, 2, 0).numpy()
    assert np.abs(fake - real).mean() < np.mean(losses[:5])


def test_renderer_draws_cameras_and_an_image_set_project_renders_an_orbit(llff_set, tmp_path):
    torch.set_num_threads(1)
    cap_path = _project(llff_set, tmp_path)
    folder = cap_path.parents[2]
    out = folder / "models" / "novel_view-cpu-preview"
    run_training(
        TrainConfig("novel_view", [cap_path], out, steps=2, overrides=TINY, tensorboard=False),
        get_family("novel_view"),
        null_context(),
    )
    r = load_renderer("novel_view", out, "cpu")
    assert r.kinds == frozenset({"viewpoint"})
    cap = read_capture(llff_set)
    cam = CameraState(cap.world_to_camera[3], cap.intrinsics[3], cap.size, cap.center, cap.up)
    frame = np.zeros((48, 48, 3), np.float32)
    res = r.render(FrameRequest(0, frame, camera=cam))
    assert res.image.shape == (48, 48, 3) and res.mask.min() == 1.0
    assert res.image.min() >= 0 and res.image.max() <= 1
    video = tmp_path / "orbit.mp4"
    summary = render_image_set(
        folder, PathRenderConfig(str(video), frames=6, height=32, preset="ultrafast"), null_context()
    )
    assert summary["frames"] == 6
    with av.open(str(video)) as c:
        frames = list(c.decode(video=0))
    assert len(frames) == 6 and frames[0].height == 32
    follow = PathRenderConfig(str(tmp_path / "follow.mp4"), height=32, path="capture", preset="ultrafast")
    assert render_image_set(folder, follow, null_context())["frames"] == 12  # one per captured view


def test_the_guided_renderer_draws_at_the_cameras_size_and_without_the_capture(llff_set, tmp_path):
    """Captured views guide the frame at the camera's own size; when the capture's images are
    gone the renderer still draws, from the grid alone, and says so."""
    torch.set_num_threads(1)
    cap_path = _project(llff_set, tmp_path)
    out = cap_path.parents[2] / "models" / "novel_view-cpu-preview"
    run_training(
        TrainConfig("novel_view", [cap_path], out, steps=2, overrides=TINY, tensorboard=False),
        get_family("novel_view"),
        null_context(),
    )
    cap = read_capture(llff_set)
    k2 = cap.intrinsics[3].copy()
    k2[:2] = k2[:2] * 2
    k2[:2, 2] += 0.5  # pixel centres at twice the size
    cam = CameraState(cap.world_to_camera[3], k2, (64, 64), cap.center, cap.up)
    r = load_renderer("novel_view", out, "cpu")
    assert r.report() == {} and r.views is not None
    img = r.render_camera(cam)
    assert img.shape == (64, 64, 3) and np.isfinite(img).all()
    (llff_set / "images").rename(llff_set / "moved")
    r = load_renderer("novel_view", out, "cpu")
    assert r.views is None and "cannot be read" in r.report()["warnings"][0]
    assert r.render_camera(cam).shape == (32, 32, 3)  # the model's own size


def test_a_videos_frames_beside_a_held_out_one_leave_training_too(llff_set):
    """Every 8th view is held out; in a video capture the 2 frames on each side of it are in
    neither set (they nearly repeat it), so the report measures new viewpoints."""
    from dataclasses import replace

    from render_core.families.novel_view.data import split_views

    train, held = split_views(20, 8)
    assert held.tolist() == [0, 8, 16] and len(train) == 17
    train, held = split_views(20, 8, gap=2)
    assert held.tolist() == [0, 8, 16]
    assert train.tolist() == [3, 4, 5, 11, 12, 13, 19]
    cfg = get_preset("novel_view", "cpu-preview", TINY)
    cap = read_capture(llff_set)
    assert load_views(cap, cfg, null_context()).train.tolist() == [1, 2, 3, 4, 5, 6, 7, 9, 10, 11]
    video = replace(cap, source="video:/clips/walk.mp4")
    assert load_views(video, cfg, null_context()).train.tolist() == [3, 4, 5, 11]


def test_captured_views_keep_a_bounded_cache(llff_set):
    """A long path at a large size decodes views on demand; the cache never outgrows its
    budget (beyond the few views one frame needs)."""
    from render_core.families.novel_view.renderer import CapturedViews

    cap = read_capture(llff_set)
    views = CapturedViews(cap, np.arange(len(cap)))
    views.KEEP_BYTES = 3 * 64 * 64 * 3 * 4  # three 64 px views
    for t in range(40):
        g = views.guides(*views.choose(cap.world_to_camera[t % len(cap)], 2), (64, 64))
        assert g.images.shape == (2, 3, 64, 64)
        assert views.cached_bytes() <= max(views.KEEP_BYTES, views.KEEP_AT_LEAST * 64 * 64 * 3 * 4)
    img = views.image(5, (64, 64))
    assert torch.equal(img, views.image(5, (64, 64)))  # a cached view comes back as decoded
