"""The warp-guided body generator: moved real pixels in, correction + hallucination mask out."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from render_core.families.body.data import build_body_frames, consecutive_pairs, person_crop
from render_core.families.body.family import BodyData, BodyFamily
from render_core.families.body.networks import BodyGenerator, BodyGeneratorConfig
from render_core.families.body.warp_input import model_plate, pick_sources, warp_to
from render_core.families.registry import get_preset
from render_core.jobs import null_context
from render_core.training.device import select_device
from render_core.training.family import RunState
from render_core.training.split import heldout_split
from tests.conftest import footage_path

CLIP = "B_musepose_ubcfashion_91BjuE6irxS.mp4"
N_FRAMES = 24


@pytest.fixture(scope="module")
def masked_clip(tmp_path_factory) -> tuple[Path, Path]:
    """The first frames of the shared dance clip with their body track and person masks."""
    from render_core.tracking.tracks import BodyTrack, Tracks
    from tests.core.families.body.tracked_frames import track_first_frames

    clip = footage_path(CLIP)
    joints, masks, _ = track_first_frames(clip, N_FRAMES)
    path = tmp_path_factory.mktemp("warp_body") / "tracks.npz"
    Tracks(None, BodyTrack(joints, np.isfinite(joints[:, 0, 0]), masks)).save(path)
    return clip, path


def _data(clip: Path, tracks_path: Path, hw: tuple[int, int]) -> BodyData:
    from render_core.geometry.pose_normalization import NormalizationStats
    from render_core.media.decode import VideoReader
    from render_core.tracking.tracks import Tracks

    body = Tracks.load(tracks_path).body
    joints, valid = body.joints, body.valid
    crop = person_crop(joints, valid, hw)
    with VideoReader(clip) as reader:
        frames = build_body_frames(reader.frames(0, N_FRAMES), joints, valid, crop, body.mask)
    split = heldout_split(np.ones(N_FRAMES, bool), fraction=0.0, min_heldout=0)
    stats = NormalizationStats.from_joints(joints, valid)
    plate = model_plate(frames, split.train)
    return BodyData(clip, "", frames, split, consecutive_pairs(valid, split.train), stats, plate=plate)


def test_sources_are_other_training_frames_within_the_offset():
    rng = np.random.default_rng(0)
    train = np.arange(0, 200, 2)
    targets = rng.choice(train, 500)
    src = pick_sources(rng, train, targets, 5, 0.0)
    assert np.isin(src, train).all() and (src != targets).all()
    assert np.abs(src - targets).max() <= 10  # 5 training frames, 2 clip frames apart
    same = pick_sources(rng, train, targets, 5, 1.0)
    assert (same == targets).all()


def test_an_untrained_generator_passes_the_warped_frame_through():
    torch.manual_seed(0)
    g = BodyGenerator(BodyGeneratorConfig(8, 2, 1, 32, warp_channels=3)).eval()
    pose, warped = torch.rand(1, 3, 32, 16), torch.rand(1, 3, 32, 16)
    with torch.no_grad():
        out, m = g.parts(pose, None, warped)
    assert m.shape == (1, 1, 32, 16) and float(m.max()) < 0.1
    assert float((out - warped).abs().mean()) < 0.05
    with pytest.raises(ValueError, match="warped"):
        g(pose)
    old = BodyGenerator(BodyGeneratorConfig(8, 2, 1, 32))  # pose + previous only, as before
    first = next(m for m in old.modules() if isinstance(m, torch.nn.Conv2d))
    assert first.in_channels == 6 and old(pose).shape == (1, 3, 32, 16)


def _high_band(x: torch.Tensor) -> float:
    """Mean absolute difference between neighbouring pixels (texture and grain)."""
    return float((x[..., 1:, :] - x[..., :-1, :]).abs().mean() + (x[..., 1:] - x[..., :-1]).abs().mean())


def test_a_pooled_correction_keeps_the_moved_pixels_texture_even_where_it_draws():
    """With `correction_pool`, whatever G draws changes the moved frame only by a smooth colour
    field: the warped frame's grain survives a mask at 1; per pixel, the drawing replaces it."""
    torch.manual_seed(0)
    pose, warped = torch.rand(1, 3, 32, 16), torch.rand(1, 3, 32, 16)
    outs = {}
    for pool in (1, 4):
        g = BodyGenerator(BodyGeneratorConfig(8, 2, 1, 32, warp_channels=3, correction_pool=pool)).eval()
        last = [m for m in g.net if isinstance(m, torch.nn.Conv2d)][-1]
        with torch.no_grad():
            last.bias[3:] = 10.0  # the mask at 1: G draws everywhere
            outs[pool] = g.parts(pose, None, warped)[0]
    drawn, kept = outs[1] - warped, outs[4] - warped
    assert _high_band(drawn) > 0.5 * _high_band(warped)  # per pixel: the grain is redrawn
    assert _high_band(kept) < 0.1 * _high_band(warped)  # pooled: only a smooth field is added
    assert float(kept.abs().mean()) > 0.01  # and it does change the colour


def test_warp_to_moves_the_person_and_keeps_the_identity(masked_clip):
    data = _data(*masked_clip, (128, 64))
    f = data.frames
    same = warp_to(f.frames[0], f.masks[0], f.joints[0], f.joints[0], data.plate)
    assert np.abs(same - f.frames[0] / 255.0).max() < 1e-5
    moved = f.joints[0].copy()
    moved[:, 0] += 6.0  # the whole person 6 px right
    out = warp_to(f.frames[0], f.masks[0], f.joints[0], moved, data.plate)
    assert np.abs(out - f.frames[0] / 255.0).mean() > 0.005


def test_warp_guided_training_lowers_the_loss_on_real_frames(masked_clip):
    torch.manual_seed(0)
    small = {"resolution": 64, "width": 32, "ngf": 8, "d_layers": 2, "d_scales": 1, "n_blocks": 1,
             "face_start": 2.0, "batch_size": 2, "lr": 2e-3, "source_offset": 4}  # fmt: skip
    cfg = get_preset("body", "cpu-preview", small)
    assert cfg.warp_input
    fam, dev = BodyFamily(), select_device("cpu")
    data = _data(*masked_clip, (64, 32))
    models, opts = fam.build(cfg, data, dev)
    s = RunState(cfg, data, models, opts, dev, np.random.default_rng(0))
    losses = [fam.train_step(s, step) for step in range(24)]
    l1 = [x["l1"] for x in losses]
    assert np.mean(l1[-6:]) < 0.8 * np.mean(l1[:6]), l1
    assert all(0.0 <= x["mask"] <= 1.0 for x in losses)


def test_old_checkpoints_without_the_warp_input_load_and_render_as_before(masked_clip, tmp_path):
    """A checkpoint whose config predates `warp_input` builds the pose-only generator."""
    from render_core.contract import FrameRequest
    from render_core.families.body.renderer import load_renderer
    from render_core.families.train import train_model
    from render_core.media.decode import VideoReader
    from render_core.media.frames import to_float
    from render_core.states import BodyState
    from render_core.tracking.tracks import Tracks
    from render_core.training.trainer import TrainConfig

    clip, tracks = masked_clip
    tiny = {"resolution": 64, "width": 32, "ngf": 8, "d_layers": 2, "d_scales": 1, "n_blocks": 1,
            "face_start": 2.0, "eval_frames": 2, "warp_input": False}  # fmt: skip
    cfg = TrainConfig("body", [clip], tmp_path / "ck", "cpu-preview", tracks=[tracks], steps=2, device="cpu",
                      overrides=tiny, max_frames=N_FRAMES, tensorboard=False)  # fmt: skip
    ck = train_model(cfg, null_context()).checkpoint
    meta_path = Path(ck) / "model.json"
    meta = json.loads(meta_path.read_text())
    for key in ("warp_input", "source_offset", "source_same", "lambda_mask"):
        meta["config"].pop(key)
    meta_path.write_text(json.dumps(meta))
    r = load_renderer(ck, "cpu")
    assert not r.cfg.warp_input and not r.sequencer.G.warp_guided
    body = Tracks.load(tracks).body
    with VideoReader(clip) as reader:
        frame = to_float(reader.read(3))
    j = body.joints[3]
    req = FrameRequest(
        3, frame, body=BodyState(j), body_edit=BodyState(j), person_mask=body.mask(3, frame.shape[1::-1])
    )
    out = r.render(req)
    assert out.image.shape == frame.shape and out.mask.max() > 0.5


def test_a_warp_guided_model_keeps_the_frames_detail_at_full_resolution(masked_clip, tmp_path):
    """An edit renders the moved real pixels at the clip's resolution, with the model's small
    correction on top: as sharp as the source, and the unedited pose gives back the frame."""
    from render_core.contract import FrameRequest
    from render_core.edits.body_ops import apply_body_pose
    from render_core.families.body.realism import REFERENCE_EDIT, sharpness_ratio
    from render_core.families.body.renderer import load_renderer
    from render_core.families.train import train_model
    from render_core.media.decode import VideoReader
    from render_core.media.frames import to_float
    from render_core.states import BodyState
    from render_core.tracking.tracks import Tracks
    from render_core.training.trainer import TrainConfig

    clip, tracks = masked_clip
    tiny = {"resolution": 64, "width": 32, "ngf": 8, "d_layers": 2, "d_scales": 1, "n_blocks": 1,
            "face_start": 2.0, "eval_frames": 2}  # fmt: skip
    cfg = TrainConfig("body", [clip], tmp_path / "ck", "cpu-preview", tracks=[tracks], steps=2, device="cpu",
                      overrides=tiny, max_frames=N_FRAMES, tensorboard=False)  # fmt: skip
    r = load_renderer(train_model(cfg, null_context()).checkpoint, "cpu")
    assert r.cfg.warp_input and r.sequencer.G.warp_guided
    body = Tracks.load(tracks).body
    with VideoReader(clip) as reader:
        frame = to_float(reader.read(5))
    j, mask = body.joints[5], body.mask(5, frame.shape[1::-1])
    same = r.render(FrameRequest(5, frame, body=BodyState(j), body_edit=BodyState(j), person_mask=mask))
    assert np.abs(same.image - frame).mean() < 0.01  # 64x32 model, 540-row frame: no blur
    edited = apply_body_pose(j, REFERENCE_EDIT)
    r.reset()
    out = r.render(FrameRequest(5, frame, body=BodyState(j), body_edit=BodyState(edited), person_mask=mask))
    ratio = sharpness_ratio([out.image], [frame], edited[None], j[None])
    assert ratio > 0.85, ratio


def test_held_out_sources_stay_put_until_another_pose_is_clearly_closer():
    from render_core.families.body.warp_input import steady_sources
    from tests.core.families.body.test_novelty import _person

    bank = np.stack([_person(), _person(), _person()])
    bank[1, 15, 1] -= 3.0  # the same pose, a wrist a little higher
    bank[2, [13, 15], 0] += 80.0  # an arm held out to the side
    query = np.stack([bank[0], bank[1], bank[0], bank[1], bank[2], bank[2]])
    src = steady_sources(query, bank)
    assert list(src[:4]) == [0, 0, 0, 0] and list(src[4:]) == [2, 2]
