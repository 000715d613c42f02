"""Shared fixtures: a short real talking-head clip tracked once per session."""

import pytest

from render_core.jobs import null_context

TINY = {"resolution": 64, "g_depth": 5, "g_base": 8, "g_max": 32, "d_base": 8, "batch_size": 1}


@pytest.fixture(scope="session")
def tracked(short_clip, tmp_path_factory):
    from render_core.tracking.track_clip import TrackConfig, track_clip

    proj = tmp_path_factory.mktemp("proj")
    res = track_clip(
        TrackConfig(clip=str(short_clip), project_dir=str(proj), body=False, max_frames=18),
        null_context(),
    )
    return short_clip, res.path


@pytest.fixture(scope="session")
def short_clip():
    from tests.conftest import carphone_path, footage_path

    return carphone_path() or footage_path("A_liveportrait_d18.mp4")


def make_cfg(tracked, out, preset="cpu-preview", **kw):
    """A tiny TrainConfig on the tracked clip (64 px, narrow nets, 18 frames: 16 train + 2 held out)."""
    from render_core.training.trainer import TrainConfig

    clip, tracks = tracked
    over = {**TINY, **kw.pop("overrides", {})}
    return TrainConfig(
        "portrait",
        [clip],
        out,
        preset,
        tracks=[tracks],
        device="cpu",
        overrides=over,
        max_frames=18,
        tensorboard=False,
        **kw,
    )
