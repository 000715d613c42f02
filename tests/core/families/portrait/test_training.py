"""Portrait training end to end on a real clip, at tiny sizes (fast on 2 CPU cores)."""

import numpy as np
import pytest
import torch

from render_core.families.registry import preset_names
from render_core.families.train import train_model
from render_core.jobs import null_context
from render_core.training import checkpoint as ck
from tests.core.conftest import make_cfg


@pytest.mark.parametrize("preset", ["cpu-preview", "gpu-quality"])
def test_every_preset_smoke_trains_two_steps(tracked, tmp_path, preset):
    assert preset in preset_names("portrait")
    res = train_model(make_cfg(tracked, tmp_path / "ck", preset, steps=2), null_context())
    assert res.steps == 2 and np.isfinite(res.metrics["psnr"])
    meta = ck.load_checkpoint(res.checkpoint).meta
    assert meta["family"] == "portrait" and meta["preset"] == preset and meta["train_clips"][0]["hash"]
    assert {"baseline_psnr", "ewarp", "ewarp_real"} <= set(meta["metrics"])
    # the held-out schema both families share (training.split.split_metadata)
    assert meta["heldout_frames"] == sum(b - a + 1 for a, b in meta["heldout_runs"]) > 0


def test_resume_continues_step_count_and_optimizer_state(tracked, tmp_path):
    out = tmp_path / "ck"
    train_model(make_cfg(tracked, out, steps=2), null_context())
    step_before = ck.load_checkpoint(out).optim["G"]["state"][0]["step"].item()
    res = train_model(make_cfg(tracked, out, steps=4, resume=True), null_context())
    assert res.steps == 4
    after = ck.load_checkpoint(out)
    assert after.meta["step"] == 4 and after.optim["G"]["state"][0]["step"].item() == step_before + 2


def test_the_adversarial_term_joins_at_gan_start(tracked, tmp_path):
    """Before `gan_start` (a fraction of the budget) G trains on L1 alone and D never steps."""
    events = []
    cfg = make_cfg(
        tracked,
        tmp_path / "ck",
        steps=4,
        overrides={"gan_start": 0.5},
        on_event=lambda e: events.append(e.data) if e.kind == "loss" else None,
    )
    train_model(cfg, null_context())
    assert [("d" in e, "g_adv" in e) for e in events] == [(False, False)] * 2 + [(True, True)] * 2
    assert all(np.isfinite(e["l1"]) for e in events)


def test_overfitting_sixteen_real_frames_halves_l1(tracked, tmp_path):
    """The conditioning-only generator (checkpoints from before the warp input)."""
    torch.set_num_threads(2)
    losses = []
    cfg = make_cfg(
        tracked,
        tmp_path / "ck",
        steps=30,
        overrides={"dropout": 0.0, "batch_size": 2, "g_base": 16, "lr": 1e-3, "warp_input": False},
        on_event=lambda e: losses.append(e.data["l1"]) if e.kind == "loss" else None,
    )
    train_model(cfg, null_context())
    first, last = np.mean(losses[:5]), np.mean(losses[-5:])
    assert last <= 0.5 * first, (first, last)


def test_the_warp_guided_model_lowers_its_loss_on_real_frames_down_to_the_warps(tracked, tmp_path):
    """It starts near the warped source (the mask's start and the untrained hallucination cost a
    little) and within 40 steps its L1 to the real target falls below where it started, to
    the warped source's own on the same pairs."""
    torch.set_num_threads(2)
    events = []
    cfg = make_cfg(
        tracked,
        tmp_path / "ck",
        steps=40,
        overrides={"dropout": 0.0, "batch_size": 2, "g_base": 16, "lr": 2e-3},
        on_event=lambda e: events.append(e.data) if e.kind == "loss" else None,
    )
    train_model(cfg, null_context())
    assert events[0]["l1"] < 3 * events[0]["l1_warp"]
    first = np.mean([e["l1"] for e in events[:5]])
    model = np.mean([e["l1"] for e in events[-8:]])
    warp = np.mean([e["l1_warp"] for e in events[-8:]])
    assert model < 0.9 * first and model < 1.1 * warp, (first, model, warp)


def test_the_free_composition_renders_only_where_it_clearly_beats_the_edit_region_one(monkeypatch):
    """`choose_composition` scores both compositions on the held-out faces and keeps the free
    one only `PICK_MARGIN_DB` above the edit-region one."""
    from render_core.families.portrait import eval as ev
    from render_core.families.portrait.networks import PortraitNetConfig
    from render_core.families.portrait.warp_net import Drawing, build_generator

    rng = np.random.default_rng(0)
    real = [rng.random((16, 16, 3)).astype(np.float32) for _ in range(3)]
    faces = [np.ones((16, 16), bool)] * 3
    g = build_generator(PortraitNetConfig(in_ch=9, base=8, max_ch=16, depth=4), True, Drawing(pick=True))
    for free_err, region_err, keeps_region in [(0.01, 0.02, False), (0.01, 0.011, True), (0.05, 0.01, True)]:

        def predict(model, data, positions, dev, steady=False, fe=free_err, re=region_err):
            err = re if model.in_region() else fe
            return [np.clip(r + err, 0, 1) for r in real]

        monkeypatch.setattr(ev, "predict", predict)
        rep, crops = ev.choose_composition(g, None, [0, 1, 2], None, real, faces)
        assert np.allclose(crops[0], np.clip(real[0] + (region_err if keeps_region else free_err), 0, 1))
        assert g.in_region() is keeps_region
        assert rep["composition"] == ("edit region" if keeps_region else "free")
        assert rep["psnr_face_free"] == pytest.approx(-20 * np.log10(free_err), abs=0.3)


def test_a_trained_model_keeps_the_composition_its_heldout_report_chose(tracked, tmp_path):
    """The final report chooses; the trained weights and their average render alike, and the
    renderer loads the choice with the checkpoint."""
    from render_core.families.portrait.renderer import load_renderer

    cfg = make_cfg(tracked, tmp_path / "ck", steps=2, overrides={"ema_decay": 0.5})
    res = train_model(cfg, null_context())
    chosen = res.metrics["composition"]
    assert chosen in ("free", "edit region") and "psnr_face" in res.metrics
    assert res.metrics["psnr_face_region"] > 0 and res.metrics["baseline_psnr_face"] > 0
    models = ck.load_checkpoint(res.checkpoint).models
    for name in ("G", "G_avg"):
        assert bool(models[name]["draws_region"]) is (chosen == "edit region")
    assert load_renderer(res.checkpoint, device="cpu").net.in_region() is (chosen == "edit region")


def test_heldout_scores_ignore_crop_pixels_past_the_frame_edge():
    from render_core.families.portrait.eval import image_scores

    rng = np.random.default_rng(0)
    real = rng.random((32, 32, 3)).astype(np.float32)
    fake = real.copy()
    fake[:, 22:] = 0.0  # wrong only past the frame edge (and past the SSIM windows of inside)
    inside = np.zeros((32, 32), bool)
    inside[:, :16] = True
    score, sim = image_scores([fake], [real], [inside])
    assert score == float("inf") and sim == pytest.approx(1.0)
    score, _ = image_scores([fake], [real], [np.ones((32, 32), bool)])
    assert score < 15


def test_a_clip_longer_than_the_cap_is_sampled_over_all_of_it(tracked, monkeypatch):
    """Memory stays at the cap; the kept frames are runs spread over the clip, the held-out
    frames its tail, and no space-time window reaches back across a gap between runs."""
    from pathlib import Path

    from render_core.families.portrait.data import load_portrait_data
    from render_core.tracking.tracks import Tracks
    from render_core.training import split

    monkeypatch.setattr(split, "RUN_FRAMES", 3)
    clip, tracks = tracked
    data = load_portrait_data(Path(clip), Tracks.load(tracks), 32, 5, 10, null_context(), limit=18)
    assert len(data.crops) == len(data.maps) == 10
    # the last 10% (16, 17; 16 kept under the cap) held out, the guard band before it (14, 15)
    # kept as context for the held-out windows but not trained on
    assert list(data.frames[data.train]) == [0, 1, 2, 7, 8, 9, 13]
    assert list(data.frames[data.heldout]) == [16]
    assert list(data.frames) == [0, 1, 2, 7, 8, 9, 13, 14, 15, 16]
    one = data.maps[3].transpose(2, 0, 1).astype(np.float32) / 255.0
    np.testing.assert_array_equal(data.window(3), np.concatenate([one] * 5))  # run start: repeated
    assert not np.array_equal(data.window(5)[:9], data.window(5)[-9:])  # inside a run: the past frames


def test_heldout_is_scored_on_the_steadied_landmarks_training_on_the_detected(tracked):
    """Training windows come from the detected landmarks; held-out windows (and the training
    frames they reach back to) from the same landmarks steadied without lag, as rendered."""
    from pathlib import Path

    from render_core.families.portrait.data import load_portrait_data
    from render_core.families.portrait.maps import FaceMapRenderer
    from render_core.tracking.face import iris_centres
    from render_core.tracking.steady import centred_smooth
    from render_core.tracking.tracks import Tracks

    clip, path = tracked
    tracks = Tracks.load(path)
    data = load_portrait_data(Path(clip), tracks, 32, 3, 18, null_context())
    first = int(data.heldout[0])
    assert sorted(data.steady_maps) == list(range(first - 2, int(data.heldout[-1]) + 1))
    renderer = FaceMapRenderer(32, data.colors, data.light)
    steady = centred_smooth(tracks.face.raw_landmarks, tracks.face.valid)

    def maps(pos, lm):
        t = data.transforms[pos]
        return np.round(renderer.render(t.points(lm), t.points(iris_centres(lm))) * 255)

    raw = tracks.face.raw_landmarks
    for pos in (first - 1, first):
        t = int(data.frames[pos])
        np.testing.assert_allclose(maps(pos, steady[t]), data.steady_maps[pos], atol=1)
        np.testing.assert_allclose(maps(pos, raw[t]), data.maps[pos], atol=1)
        assert np.abs(data.maps[pos].astype(int) - data.steady_maps[pos]).max() > 1
    held = data.window(first, steady=True)
    np.testing.assert_allclose(held[-9:], data.steady_maps[first].transpose(2, 0, 1) / 255.0, atol=1e-6)
    np.testing.assert_allclose(held[:9], data.steady_maps[first - 2].transpose(2, 0, 1) / 255.0, atol=1e-6)
    assert not np.array_equal(held, data.window(first))


def test_tracks_longer_than_the_clip_give_a_one_line_error_naming_it(tracked, tmp_path):
    from fractions import Fraction
    from pathlib import Path

    from render_core.errors import InputError
    from render_core.families.portrait.data import load_portrait_data
    from render_core.media.decode import VideoReader
    from render_core.media.encode import VideoWriter
    from render_core.tracking.tracks import Tracks

    clip, tracks = tracked
    short = tmp_path / "short.mp4"
    with VideoReader(clip) as reader:
        first = [f for _, f in reader.frames(0, 6)]
    h, w = first[0].shape[:2]
    with VideoWriter(short, Fraction(25), w - w % 2, h - h % 2) as out:
        for f in first:
            out.write(f[: h - h % 2, : w - w % 2])
    with pytest.raises(InputError, match="clip ended before frame 17") as err:
        load_portrait_data(Path(short), Tracks.load(tracks), 32, 3, 100, null_context())
    assert "short.mp4" in str(err.value)


def test_discriminator_weight_gradients_come_from_its_own_loss_only():
    """G's adversarial loss reaches G through D without computing D's weight gradients (D's
    next update would discard them): each D weight gets one gradient per step, from D's loss."""
    from render_core.families.portrait.family import PortraitFamily
    from render_core.families.registry import get_preset
    from render_core.training.device import select_device
    from render_core.training.family import RunState

    tiny = {
        "resolution": 32,
        "n_w": 1,
        "g_base": 4,
        "g_max": 8,
        "g_depth": 5,
        "d_base": 4,
        "warp_input": False,
    }
    cfg = get_preset("portrait", "cpu-preview", tiny)

    class Data:
        train = np.arange(4)
        x, y = torch.rand(4, 9, 32, 32), torch.rand(4, 3, 32, 32) * 2 - 1

        def batch(self, pos, device):
            return self.x[pos], self.y[pos]

    fam, dev = PortraitFamily(), select_device("cpu", amp=False)
    models, opts = fam.build(cfg, Data(), dev)
    s = RunState(cfg, Data(), models, opts, dev, np.random.default_rng(0), progress=1.0)
    counts = {}
    for name, p in models["D"].named_parameters():
        counts[name] = 0
        p.register_hook(lambda g, n=name: counts.__setitem__(n, counts[n] + 1))
    losses = fam.train_step(s, 0)
    assert "g_adv" in losses and set(counts.values()) == {1}


def test_a_weight_average_is_kept_and_renders_in_place_of_g(tracked, tmp_path):
    from render_core.families.portrait.config import PortraitPreset
    from render_core.training.inference import open_checkpoint

    cfg = make_cfg(tracked, tmp_path / "ck", steps=3, overrides={"ema_decay": 0.5})
    res = train_model(cfg, null_context())
    saved = ck.load_checkpoint(res.checkpoint).models
    trained, avg = saved["G"], saved["G_avg"]
    assert any(not torch.equal(trained[k], avg[k]) for k in trained)
    rendered = open_checkpoint(res.checkpoint, PortraitPreset, "cpu").checkpoint.models
    assert "G_avg" not in rendered and all(torch.equal(rendered["G"][k], avg[k]) for k in avg)
