"""`main.py transfer`: motion transfer through the ordinary render pipeline, on the driving
clip's timebase (frame count, fps, audio), the target's frames held as background plates."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from render_core.families.body.novelty import UNSEEN_POSE
from render_core.jobs import null_context
from render_core.media.decode import VideoReader
from render_core.media.probe import probe
from render_core.project.io import load_project, new_project
from tests import corpus
from tests.conftest import REPO, footage_path

TARGET = "B_musepose_ubcfashion_91BjuE6irxS.mp4"
DRIVING = "B_tfjs_pose_1.mp4"
TINY = {"resolution": 64, "width": 32, "d_layers": 2, "d_scales": 1, "n_blocks": 1, "face_size": 16,
        "face_start": 2.0, "batch_size": 1, "eval_frames": 2}  # fmt: skip


def run_main(*args: str) -> subprocess.CompletedProcess:
    # one torch thread: on a shared 2-core machine OpenMP barriers stall badly under other load
    env = {**os.environ, "GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "2", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, str(REPO / "main.py"), *args]
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_timebase_clip_sets_length_fps_audio_and_holds_the_last_plate(tmp_path):
    """A 1 s target under a 2 s driving timebase: 50 frames at 25 fps with the driving audio;
    the frames past the target's end repeat its last frame."""
    from render_core.project.driven import add_clip
    from render_core.render.pipeline import RenderConfig, render_clip
    from render_core.render.timebase import output_timebase

    target = corpus.make_clip(tmp_path / "target.mp4", frames=30, fps=30, audio=False)
    driving = corpus.make_clip(tmp_path / "driving.mp4", frames=50, fps=25)
    project, ref = add_clip(new_project(tmp_path / "p", target), driving, driving=True)
    tb = output_timebase(project, RenderConfig("x.mp4", timebase=ref.id), probe(target), 30)
    assert (tb.length, tb.fps, tb.audio) == (50, 25, driving)
    own = output_timebase(project, RenderConfig("x.mp4"), probe(target), 30)
    assert (own.length, own.fps, own.audio) == (30, 30, None)
    out = tmp_path / "out.mp4"
    summary = render_clip(
        project, RenderConfig(str(out), timebase=ref.id, preset="ultrafast"), null_context()
    )
    info = probe(out)
    assert summary["frames"] == 50 and info.frame_count == 50 and info.fps == 25
    assert info.has_audio and abs(info.duration - 2.0) < 0.1
    with VideoReader(out) as r:
        f = {t: x.astype(np.float32) for t, x in r.frames() if t in (28, 29, 35, 49)}
    assert np.abs(f[29] - f[49]).mean() < 2.0 and np.abs(f[29] - f[35]).mean() < 2.0
    assert np.abs(f[28] - f[29]).mean() > 2.0  # the target itself moves before it ends


@pytest.mark.slow
def test_transfer_end_to_end_on_two_shared_clips(tmp_path):
    """B_tfjs_pose_1's dance onto a tiny body model of B_musepose: a playable MP4 of the
    requested driving frames, at the driving fps, the target's size; the layer is saved."""
    from render_core.families.train import train_model
    from render_core.project.document import ModelRef
    from render_core.project.io import save_project
    from render_core.training.trainer import TrainConfig

    target, driving = footage_path(TARGET), footage_path(DRIVING)
    project = new_project(tmp_path / "dance", target)
    cfg = TrainConfig("body", [target], project.folder / "models" / "body-tiny", "cpu-preview",
                      project_dir=project.folder, steps=2, device="cpu", overrides=TINY,
                      max_frames=20, tensorboard=False)  # fmt: skip
    res = train_model(cfg, null_context())
    ref = ModelRef("body-tiny", "body", project.relative(res.checkpoint), "cpu-preview")
    save_project(project.with_model(ref), project.folder)
    out = tmp_path / "transfer.mp4"
    r = run_main("transfer", "--project", str(project.folder), "--driving", str(driving), "-o", str(out),
                 "--frames", "0:6", "--preset", "ultrafast", "--device", "cpu", "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["model"] == "body-tiny" and summary["frames"] == 6 and summary["edited"] == 6
    assert summary["unseen_pose_frames"] == 0 and 0 < summary["pose_novelty_max"] < UNSEEN_POSE
    assert "warning" not in r.stderr
    info, tgt = probe(out), probe(target)
    assert info.frame_count == 6 and info.fps == probe(driving).fps
    assert (info.width, info.height) == (tgt.width, tgt.height)
    with VideoReader(out) as rd, VideoReader(target) as src:
        got = [f for _, f in rd.frames()]
        orig = [f for _, f in src.frames(0, 6)]
    assert len(got) == 6 and all(
        np.abs(g.astype(int) - o).mean() > 0.5 for g, o in zip(got, orig, strict=True)
    )
    saved = load_project(project.folder)
    layers = [ly for ly in saved.timeline.layers if ly.kind == "transfer_body"]
    assert len(layers) == 1 and layers[0].settings["driving_clip"] == summary["driving_clip"]
    assert (layers[0].start, layers[0].end) == (0, 119) and summary["driving_clip"] in saved.driving_clips
    # Frames 40-43 raise both arms, which the target's 20 training frames never do: the user is told.
    r = run_main("transfer", "--project", str(project.folder), "--driving", str(driving), "-o",
                 str(tmp_path / "arms.mp4"), "--frames", "40:44", "--preset", "ultrafast", "--device", "cpu",
                 "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["unseen_pose_frames"] == 4 and summary["unseen_pose_runs"] == [[40, 43]]
    warning = "4 of 4 frames ask the body model for poses its training clip never shows (frames 40-43)"
    assert f"warning: {warning}" in r.stderr


def _standing(t: int, x0: float, ankle_y: float, height: float) -> np.ndarray:
    """(t, 33, 4) joints of a person standing still: head top at ankle_y - height."""
    j = np.zeros((t, 33, 4), np.float32)
    j[..., 0] = x0
    j[..., 1] = np.linspace(ankle_y - height, ankle_y, 33)[None]
    j[:, :9, 1] = ankle_y - height
    j[:, [27, 28], 1] = ankle_y
    j[..., 3] = 1.0
    return j


def test_transfer_layer_resolves_to_the_median_smoothed_normalized_dance():
    """The driving wrist spikes for one frame: the 7-frame median removes it; the pose lands at
    the target's floor line and size; a held target plate still receives the dance."""
    from render_core.cli.cmd_transfer import transfer_layer
    from render_core.edits.timeline import EditTimeline
    from render_core.project.document import Project
    from render_core.render.frame_edits import resolve_frame
    from render_core.render.sources import ClipTracks, EditSources, HeldClipTracks
    from render_core.tracking.tracks import BodyTrack, Tracks

    drv = _standing(20, 100.0, 400.0, 300.0)
    drv[:, 16, 0] = 100.0 + np.arange(20)  # the wrist moves right 1 px per frame
    drv[10, 16, 0] = 900.0  # one detector glitch
    tgt = _standing(5, 50.0, 200.0, 150.0)
    clip = lambda j: ClipTracks(Tracks(None, BodyTrack(j, np.ones(len(j), bool))), (640, 480))  # noqa: E731
    project, layer = transfer_layer(Project("p", timeline=EditTimeline()), "clip2", 20)
    sources = EditSources(HeldClipTracks.of(clip(tgt)), {"clip2": clip(drv)})
    edit = resolve_frame(sources, project.timeline, 10).body_edit
    assert edit is not None and (layer.start, layer.end) == (0, 19)
    # scale 150/300 = 0.5 about the ankle line; x about the clips' ankle centres
    # median of wrist x over frames 7..13 = {107, 108, 109, 900, 111, 112, 113} = 111: no glitch
    np.testing.assert_allclose(edit.joints[16, 0], 50.0 + 0.5 * (111.0 - 100.0), atol=1e-4)
    np.testing.assert_allclose(edit.joints[27, 1], 200.0, atol=1e-4)
    np.testing.assert_allclose(edit.joints[0, 1], 200.0 - 150.0, atol=1e-4)
    late = resolve_frame(sources, project.timeline, 15).body_edit  # past the 5-frame target: held plate
    assert late is not None and abs(late.joints[16, 0] - (50.0 + 0.5 * 15.0)) < 1e-4


def test_body_model_is_the_named_one_else_the_newest_checkpoint(tmp_path):
    from render_core.cli.cmd_transfer import body_model
    from render_core.errors import InputError
    from render_core.project.document import ModelRef, Project

    for i, name in enumerate(("new", "old")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.json").write_text("{}")
        os.utime(tmp_path / name / "model.json", (1000 - i * 10, 1000 - i * 10))
    refs = (ModelRef("a", "body", "new"), ModelRef("b", "body", "old"), ModelRef("c", "portrait", "new"))
    project = Project("p", models=refs, folder=tmp_path)
    assert body_model(project, None).id == "a" and body_model(project, "b").id == "b"
    with pytest.raises(InputError, match="no body model 'c'"):
        body_model(project, "c")
    with pytest.raises(InputError, match="train body"):
        body_model(Project("p", folder=tmp_path), None)
