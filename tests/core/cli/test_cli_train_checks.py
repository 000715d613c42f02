"""`train` is refused before any work for a budget that trains nothing, a `--resume` with no
checkpoint and a clip too short to split: one `error:` line, exit 2, no model registered."""

from __future__ import annotations

import pytest

from tests import corpus
from tests.core.cli.conftest import one_error_naming


def models_of(project_folder) -> list:
    from render_core.project.io import load_project

    return list(load_project(project_folder).models)


@pytest.mark.parametrize("minutes", ["0", "-1", "nan", "inf"])
def test_a_budget_that_trains_nothing_is_an_argument_error(cli, tiny_project, minutes):
    r = cli("train", "portrait", "--project", tiny_project, "--minutes", minutes)
    assert r.returncode == 2 and len(r.errors) == 1 and r.stderr.count("\n") == 1, r.stderr
    assert f"argument --minutes: {minutes} must be a number above 0" in r.errors[0]
    assert models_of(tiny_project) == []


def test_zero_steps_is_an_argument_error(cli, tiny_project):
    r = cli("train", "body", "--project", tiny_project, "--steps", "0")
    assert r.returncode == 2 and "argument --steps: 0 must be 1 or more" in r.errors[0], r.stderr


def test_resume_without_a_checkpoint_is_an_error_not_a_fresh_start(cli, tiny_project, tmp_path):
    out = tmp_path / "nothing-here"
    r = cli(
        "train", "portrait", "--project", tiny_project, "--resume", "--out", out, "--steps", "1", "--quiet"
    )
    assert "no checkpoint to resume from" in one_error_naming(r, "nothing-here")
    assert not out.exists() and models_of(tiny_project) == []


def test_the_training_job_checks_its_config_too(tmp_path, tiny_clip_master):
    """The studio starts `train_model` directly: the same checks at its entry."""
    from render_core.errors import InputError
    from render_core.families.train import train_model
    from render_core.jobs import JobContext
    from render_core.training.trainer import TrainConfig

    base = dict(family="portrait", clips=[tiny_clip_master], out_dir=tmp_path / "m")
    for bad, words in [
        (dict(minutes=0.0), "above 0 minutes"),
        (dict(minutes=float("nan")), "above 0 minutes"),
        (dict(steps=0), "at least 1 step"),
        (dict(resume=True, steps=1), "no checkpoint to resume from"),
    ]:
        with pytest.raises(InputError, match=words):
            train_model(TrainConfig(**base, **bad), JobContext())
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("kind", ["one-frame clip", "jpeg still"])
def test_a_clip_too_short_to_split_is_an_error(cli, tmp_path, kind):
    if kind == "jpeg still":
        clip = corpus.make_still(tmp_path / "still.jpg")
    else:
        clip = corpus.make_clip(tmp_path / "one.mp4", frames=1, size=(64, 48), audio=False)
    r = cli("train", "body", "--clip", clip, "--out", tmp_path / "m", "--steps", "1", "--quiet")
    assert "too short to train on (1 frame(s))" in one_error_naming(r, clip.name)
    assert not (tmp_path / "m").exists()


def test_train_portrait_finds_the_small_face_of_a_full_body_clip(cli, tmp_path):
    """Training tracks as `track` does: the body's head crop finds a face too small for the
    full-frame detector (the clip is head to feet at 720x1080)."""
    from tests.conftest import footage_path

    clip = footage_path("B_liveportrait_s13.mp4")
    out = tmp_path / "m"
    r = cli(
        "train",
        "portrait",
        "--clip",
        clip,
        "--max-frames",
        "4",
        "--steps",
        "1",
        "--out",
        out,
        "--json",
        "--quiet",
    )
    assert r.returncode == 0, r.stderr
    assert (out / "model.json").exists()
