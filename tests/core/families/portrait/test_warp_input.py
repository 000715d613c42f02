"""The warp-guided generator: its input (a real crop moved to the target), pairs, network, and
the full-resolution composition in the renderer."""

import json

import numpy as np
import pytest
import torch

from render_core.families.portrait.crop import CropParams, CropTransform
from render_core.families.portrait.networks import PortraitNetConfig, PortraitUNet
from render_core.families.portrait.renderer import StagedFrame, compose_full, load_renderer
from render_core.families.portrait.warp_input import (
    LOWER_LIP,
    edit_region,
    mouth_box,
    mouth_openness,
    region_weights,
    shape_changes,
    source_positions,
    warp_crop,
)
from render_core.families.portrait.warp_net import MASK_BIAS, Drawing, WarpGuidedUNet, build_generator
from render_core.families.train import train_model
from render_core.jobs import null_context
from render_core.warp.face import warp_face
from tests.core.conftest import make_cfg


def _face(size: float = 100.0) -> np.ndarray:
    from render_core.geometry.canonical_face import canonical_face

    pts = canonical_face().astype(np.float64)
    return (pts * (size * 0.55 / np.ptp(pts[:, 0])) + [size / 2, size / 2, 0.0]).astype(np.float32)


def test_mouth_openness_grows_with_the_lip_gap_and_ignores_scale():
    closed = _face()
    opened = closed.copy()
    opened[LOWER_LIP, 1] += 6.0
    assert mouth_openness(opened) > mouth_openness(closed) + 0.05
    assert np.isclose(mouth_openness(opened * 2), mouth_openness(opened), atol=1e-6)
    x0, y0, x1, y1 = mouth_box(closed, 100)
    assert 0 <= x0 < x1 <= 100 and 50 < y0 < y1 <= 100  # the mouth sits in the lower half


def test_sources_are_never_the_target_and_half_the_far_ones_open_a_mouth():
    rng = np.random.default_rng(0)
    train = np.arange(40)
    openness = np.linspace(0.0, 0.2, 40)
    neighbours = np.stack([np.clip(np.array([t - 1, t + 1]), 0, 39) for t in range(40)])
    targets = np.full(2000, 30)
    src = source_positions(targets, train, openness, neighbours, rng, far=1.0)
    assert not (src == 30).any()
    closed = np.mean(openness[src] < openness[30])
    assert 0.8 < closed < 0.95  # half always more closed, plus the uniform half's 30/39
    near = source_positions(targets, train, openness, neighbours, rng, far=0.0)
    assert set(near.tolist()) == {29, 31}


def test_adjacent_sources_are_the_frames_beside_the_target():
    """`adjacent` draws from the clip frames within two of the target's (not cache positions:
    a cache holds runs of frames with gaps between them), never the target itself."""
    rng = np.random.default_rng(0)
    train = np.arange(40)
    frames = np.concatenate([np.arange(20), np.arange(100, 120)])  # two runs
    neighbours = np.zeros((40, 1), int)
    src = source_positions(np.full(500, 20), train, np.zeros(40), neighbours, rng, 0.0, 1.0, frames)
    assert set(src.tolist()) == {21, 22}  # frame 100's neighbours 101, 102; 18, 19 are frames away
    mixed = source_positions(np.full(2000, 30), train, np.zeros(40), neighbours, rng, 0.0, 0.25, frames)
    assert 0.2 < np.mean(mixed != 0) < 0.3


def test_the_edit_region_covers_mouth_and_eyes_and_leaves_the_rest_of_the_face():
    face = _face(128.0)
    region = edit_region(face, 128)
    at = lambda i: float(region[int(round(face[i, 1])), int(round(face[i, 0]))])  # noqa: E731
    assert at(LOWER_LIP) > 0.9 and at(13) > 0.9  # inner lips
    assert at(468) > 0.9 and at(473) > 0.9  # iris centres
    assert at(1) < 0.1 and at(10) < 0.1 and at(152) < 0.1  # nose tip, forehead, chin
    assert at(234) < 0.1 and at(454) < 0.1  # cheeks at the face's sides
    assert 0.02 < region.mean() < 0.25


def test_the_edit_region_opens_only_the_parts_whose_shape_changes():
    """Moved, turned and scaled whole, the face keeps its own mouth and eyes (no region); an
    opened mouth opens the mouth's region, a moved iris its eye's, and nothing else."""
    from render_core.geometry import face_topology as ft

    face = _face(128.0)
    at = lambda r, i: float(r[int(round(face[i, 1])), int(round(face[i, 0]))])  # noqa: E731
    c, a = face[:, :2].mean(0), np.deg2rad(8.0)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    moved = face.copy()
    moved[:, :2] = (face[:, :2] - c) @ rot.T * 1.1 + c + [3.0, -2.0]
    assert max(shape_changes(face, moved)) < 1e-4
    assert edit_region(moved, 128, face).max() == 0.0
    opened = face.copy()
    _, inner = ft.lips()
    lower = [i for i in inner if face[i, 1] > face[13, 1]]
    opened[lower, 1] += 6.0  # the lower inner lip drops 6 px on a 128 px face
    region = edit_region(opened, 128, face)
    assert region_weights(face, opened)[0] == 1.0 and at(region, 13) > 0.9
    assert at(region, 468) < 0.01 and at(region, 473) < 0.01
    gaze = face.copy()
    gaze[list(ft.LEFT_IRIS_RING) + [ft.LEFT_IRIS_CENTER], 0] += 2.0  # the left iris looks aside
    weights = region_weights(face, gaze)
    assert weights[0] == 0.0 and weights[1] == 1.0 and weights[2] == 0.0


def test_with_an_edit_region_the_network_draws_only_there_and_its_residual_is_a_smooth_field():
    """Mask forced to 1: the output is the hallucination inside the region, and outside it the
    warped crop plus a residual averaged over 4-px cells (the warped crop's grain survives)."""
    torch.manual_seed(0)
    g = build_generator(
        PortraitNetConfig(in_ch=9, base=8, max_ch=16, depth=4, dropout=0.0), True, Drawing(True, 4)
    )
    assert isinstance(g, WarpGuidedUNet) and g.cfg.in_ch == 13 and g.region
    with torch.no_grad():
        g.out.bias[3] = 10.0  # the mask's logit: draw wherever allowed
        g.out.weight[:, 4:] = torch.randn_like(g.out.weight[:, 4:])  # a residual with texture
    region = torch.zeros(1, 1, 32, 32)
    region[..., 8:16, 8:16] = 1.0
    x = torch.cat([torch.rand(1, 9, 32, 32), torch.rand(1, 3, 32, 32), region], 1)
    with torch.no_grad():
        out, m, h = g.compose(x)
    assert float(m[..., 8:16, 8:16].min()) > 0.99 and float(m[..., 20:, 20:].max()) == 0.0
    assert torch.allclose(out[..., 8:16, 8:16], h[..., 8:16, 8:16], atol=1e-3)
    change = (out - (g.warped(x) * 2 - 1))[..., 16:, 16:]
    cells = change.unfold(-2, 4, 4).unfold(-2, 4, 4)  # (1, 3, 4, 4, 4, 4): 4-px cells
    assert float(change.abs().mean()) > 1e-3
    # bilinear upsampling of the cell means: neighbouring pixels differ far less than the warped grain
    grain = float((g.warped(x)[..., 1:, :] - g.warped(x)[..., :-1, :]).abs().mean()) * 2
    assert float((change[..., 1:, :] - change[..., :-1, :]).abs().mean()) < 0.2 * grain
    assert cells.shape[-1] == 4


def test_a_picking_model_trains_both_compositions_and_the_checkpoint_keeps_its_choice():
    """`pick`: one pass gives the free and the edit-region compositions; the network renders
    the one set, and the choice travels in its state dict. With `region` the choice is fixed."""
    torch.manual_seed(0)
    cfg = PortraitNetConfig(in_ch=9, base=8, max_ch=16, depth=4, dropout=0.0)
    g = build_generator(cfg, True, Drawing(residual_pool=4, pick=True)).eval()
    assert isinstance(g, WarpGuidedUNet) and g.pick and g.region and g.cfg.in_ch == 13
    with torch.no_grad():
        g.out.bias[3] = 10.0  # draw wherever allowed
        g.out.weight[:, 4:] = torch.randn_like(g.out.weight[:, 4:])
    region = torch.zeros(1, 1, 32, 32)
    region[..., 8:16, 8:16] = 1.0
    x = torch.cat([torch.rand(1, 9, 32, 32), torch.rand(1, 3, 32, 32), region], 1)
    with torch.no_grad():
        (free, m_free), (inside, m_region) = g.both(x)
        assert float(m_free[..., 20:, 20:].min()) > 0.99 and float(m_region[..., 20:, 20:].max()) == 0.0
        assert not g.in_region() and torch.equal(g(x), free)
        g.set_composition(True)
        assert g.in_region() and torch.equal(g(x), inside)
        again = build_generator(cfg, True, Drawing(residual_pool=4, pick=True)).eval()
        again.load_state_dict(g.state_dict())
        assert again.in_region() and torch.allclose(again(x), inside)
    fixed = build_generator(cfg, True, Drawing(True, 4, pick=True))
    assert not fixed.pick and fixed.in_region() and "draws_region" not in fixed.state_dict()


def test_a_model_drawing_by_change_never_sees_its_region_so_render_and_training_agree():
    """With `by_change` the region channel only limits the mask: the network's heads are the
    same whole or opened by change, so training on whole regions carries to rendering."""
    torch.manual_seed(0)
    cfg = PortraitNetConfig(in_ch=9, base=8, max_ch=16, depth=4, dropout=0.0)
    g = build_generator(cfg, True, Drawing(residual_pool=4, pick=True, by_change=True)).eval()
    assert g.inputs.by_change and g.cfg.in_ch == 13 and g.down[0][0].in_channels == 12
    g.set_composition(True)
    x = torch.cat([torch.rand(1, 12, 32, 32), torch.ones(1, 1, 32, 32)], 1)
    closed = x.clone()
    closed[:, -1] = 0.0
    with torch.no_grad():
        (h1, m1, r1), (h0, m0, r0) = g.heads(x), g.heads(closed)
        assert torch.equal(h1, h0) and torch.equal(r1, r0)
        assert float(m1.min()) > 0 and float(m0.max()) == 0.0
        assert torch.allclose(g(closed), g.warped(x) * 2 - 1 + r0)


def test_checkpoints_from_before_the_narrower_anchor_ring_keep_their_input_warp():
    """A stored preset without `warp_border` (or the newer input settings) builds the input its
    weights were trained on: the 0.3 ring, the whole edit region; the presets use the 0.1 ring."""
    from render_core.families.portrait.config import PRESETS, PortraitPreset
    from render_core.families.portrait.warp_net import generator_for

    old = generator_for(PortraitPreset(g_base=8, g_max=16, g_depth=4, warp_input=True, edit_region=True))
    assert old.inputs.border == 0.3 and old.inputs.region and not old.inputs.by_change
    assert not old.pick and old.inputs.warp.border == 0.3
    for preset in PRESETS.values():
        assert preset.warp_border == 0.1 and preset.pick_composition and preset.region_by_change


@pytest.mark.parametrize("resize_head", [False, True])
def test_an_untrained_warp_guided_model_outputs_the_warped_crop(resize_head):
    torch.manual_seed(0)
    cfg = PortraitNetConfig(in_ch=9, base=8, max_ch=16, depth=4, dropout=0.0)
    g = build_generator(cfg, True, Drawing(resize_head=resize_head))
    assert isinstance(g, WarpGuidedUNet) and g.cfg.in_ch == 12
    x = torch.rand(2, 12, 32, 32)
    out, m, _ = g.compose(x)
    warped = x[:, -3:] * 2 - 1
    assert out.shape == (2, 3, 32, 32)
    assert torch.allclose(m.mean(), torch.sigmoid(torch.tensor(MASK_BIAS)), atol=0.02)
    assert (out - warped).abs().mean() < 0.1
    assert (
        type(build_generator(PortraitNetConfig(in_ch=9, base=8, max_ch=16, depth=4), False)) is PortraitUNet
    )


def test_the_crop_warp_moves_the_pixels_with_the_landmarks():
    """A face shifted 3 px right: the warped source matches the shifted image inside the face."""
    src = _face(64)
    rng = np.random.default_rng(0)
    img = np.repeat(np.repeat(rng.random((16, 16, 3), dtype=np.float32), 4, 0), 4, 1)
    shifted = np.roll(img, 3, axis=1)
    dst = src.copy()
    dst[:, 0] += 3.0
    out = warp_crop(img, src, dst)
    inner = (slice(24, 40), slice(26, 38))
    assert np.abs(out[inner] - shifted[inner]).mean() < 0.02 < np.abs(img[inner] - shifted[inner]).mean()


def test_the_renderer_composes_over_the_full_resolution_warp():
    """Mask 0 and no residual: the output is the frame warped at its own size (full detail);
    mask 1: the hallucinated crop, upsampled."""
    rng = np.random.default_rng(1)
    frame = rng.random((96, 96, 3), dtype=np.float32)
    src = _face(96)
    dst = src.copy()
    dst[:, 1] += 2.0
    t = CropTransform(CropParams(48.0, 48.0, 96.0, 0.0), 32)
    warped = warp_face(frame, src, dst)[0]
    staged = StagedFrame(t, np.zeros((1, 32, 32), np.float32), np.ones((32, 32), np.float32), warped)
    crop = np.zeros((32, 32, 7), np.float32)
    crop[..., :3] = 0.25
    np.testing.assert_allclose(compose_full(frame, staged, crop), warped, atol=1e-5)
    assert not np.allclose(warped, frame)  # the moved pixels, not the frame
    crop[..., 3] = 1.0
    np.testing.assert_allclose(compose_full(frame, staged, crop)[10:86, 10:86], 0.25, atol=1e-4)


def test_a_checkpoint_from_before_the_warp_input_loads_and_renders_as_before(tracked, tmp_path):
    from render_core.contract import FrameRequest
    from render_core.media.decode import VideoReader
    from render_core.media.frames import to_float
    from render_core.states import FaceState
    from render_core.tracking.tracks import Tracks

    res = train_model(
        make_cfg(tracked, tmp_path / "ck", steps=1, overrides={"warp_input": False}), null_context()
    )
    meta_path = res.checkpoint / "model.json"
    meta = json.loads(meta_path.read_text())
    for key in ("warp_input", "pair_near", "pair_far", "w_mask"):
        meta["config"].pop(key)  # as written before these settings existed
    meta.pop("face_bank")
    meta_path.write_text(json.dumps(meta))
    r = load_renderer(res.checkpoint, device="cpu")
    assert not r.guided and r.face_bank is None
    face = Tracks.load(tracked[1]).face
    with VideoReader(tracked[0]) as reader:
        frame = to_float(reader.read(0))
    state = FaceState(face.landmarks[0], face.head_pose[0], face.iris[0], face.focal, (0.0, 0.0))
    out = r.render(FrameRequest(0, frame, face=state, face_edit=state))
    assert out.image.shape == frame.shape and "face_novelty" not in out.notes
