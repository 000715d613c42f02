"""Which frames a training run keeps: the held-out tail, and runs spread over a long clip."""

from __future__ import annotations

import numpy as np
import pytest

from render_core.families.body.data import PersonCrop, build_body_frames, consecutive_pairs
from render_core.training.split import heldout_split, select_frames


def test_a_clip_within_the_cap_keeps_every_valid_frame_as_heldout_split_does():
    valid = np.ones(216, bool)
    valid[[5, 100]] = False
    sel, old = select_frames(valid, 1500), heldout_split(valid)
    np.testing.assert_array_equal(sel.frames[sel.train], old.train)
    np.testing.assert_array_equal(sel.frames[sel.heldout], old.heldout)
    # windows and pairs restart after each missing frame
    assert list(sel.run_start[[0, 4, 5, 98, 99]]) == [0, 0, 5, 5, 99]


def test_a_long_clip_keeps_runs_spread_over_all_of_it_and_its_heldout_tail():
    valid = np.ones(10_000, bool)
    valid[4_000:4_010] = False
    sel = select_frames(valid, cap=500, run_len=50)
    assert len(sel.frames) == 500
    train, held = sel.frames[sel.train], sel.frames[sel.heldout]
    assert len(held) == 50 and held[0] == 9_000 and np.all(np.diff(held) == 1)  # first 50 of the last 10%
    assert train.max() < 9_000 and valid[sel.frames].all()
    assert train[0] == 0 and train[-1] == 8_999  # the first run at the start, the last at the end
    starts = train[np.r_[True, np.diff(train) != 1]]
    assert len(starts) == 9 and np.all(np.diff(starts) > 900)  # nine runs of 50, evenly spread
    assert np.all(np.diff(sel.run_start) >= 0)
    first = sel.run_start == np.arange(len(sel.frames))
    assert np.array_equal(np.nonzero(first)[0], np.nonzero(np.r_[True, np.diff(sel.frames) != 1])[0])


@pytest.mark.parametrize("n, cap", [(1_000, 999), (1_000, 37), (65, 60)])
def test_the_kept_count_never_exceeds_the_cap(n, cap):
    sel = select_frames(np.ones(n, bool), cap, run_len=30)
    assert len(sel.frames) <= cap and len(np.unique(sel.frames)) == len(sel.frames)
    assert len(sel.heldout) >= 1 and len(sel.train) >= 1


def test_training_pairs_never_join_frames_that_are_apart_in_the_clip():
    sel = select_frames(np.ones(1_000, bool), cap=100, run_len=10)
    pairs = consecutive_pairs(np.ones(len(sel.frames), bool), sel.train, sel.frames)
    assert len(pairs) == 9 * 9  # nine runs of ten frames: nine pairs each
    assert np.all(sel.frames[pairs[:, 1]] == sel.frames[pairs[:, 0]] + 1)
    assert np.isin(pairs, sel.train).all()  # none reaches into the held-out frames


def test_body_frames_hold_only_the_kept_frames_in_their_order():
    n = 40
    frames = ((i, np.full((20, 10, 3), i, np.uint8)) for i in range(n))
    joints = np.full((n, 33, 4), np.nan, np.float32)
    keep = np.array([3, 4, 5, 30, 31])
    crop = PersonCrop(0.0, 0.0, 1.0, 20, 10)
    bf = build_body_frames(frames, joints, np.ones(n, bool), crop, keep=keep)
    assert bf.frames.shape == (5, 20, 10, 3)
    assert list(bf.frames[:, 0, 0, 0]) == [3, 4, 5, 30, 31]


def test_frame_runs_name_the_kept_ranges():
    from render_core.training.split import frame_runs

    assert frame_runs(np.array([0, 1, 2, 7, 8, 9, 13, 14, 15, 16])) == [[0, 2], [7, 9], [13, 16]]
    assert frame_runs(np.array([5])) == [[5, 5]] and frame_runs(np.array([], int)) == []
    sel = select_frames(np.ones(10_000, bool), cap=500, run_len=50)
    assert len(frame_runs(sel.frames[sel.train])) == 9


def test_a_guard_band_before_the_heldout_part_is_neither_trained_on_nor_held_out():
    from render_core.training.split import gap_frames

    valid = np.ones(345, bool)
    plain, guarded = heldout_split(valid), heldout_split(valid, gap=gap_frames(29.97))
    np.testing.assert_array_equal(guarded.heldout, plain.heldout)  # the same last 10%
    assert plain.train[-1] == 309 and guarded.train[-1] == 309 - 15
    assert guarded.heldout[0] - guarded.train[-1] == 16  # 15 frames (0.5 s) between them
    sel = select_frames(valid, 1500, gap=15)
    np.testing.assert_array_equal(sel.frames[sel.train], guarded.train)
    # a short clip loses at most as many training frames as it holds out
    short = heldout_split(np.ones(20, bool), gap=15)
    assert list(short.heldout) == [18, 19] and short.train[-1] == 15


def test_a_long_clip_keeps_its_runs_before_the_guard_band():
    sel = select_frames(np.ones(10_000, bool), cap=500, run_len=50, gap=15)
    train, held = sel.frames[sel.train], sel.frames[sel.heldout]
    assert held[0] == 9_000 and train[-1] == 9_000 - 16 and len(sel.frames) == 500


def test_the_clip_rate_comes_from_the_tracks_file():
    from render_core.training.split import gap_frames, tracks_fps

    assert tracks_fps({"fps": [30000, 1001]}) == 30000 / 1001
    assert tracks_fps({"fps": 25}) == 25.0 and tracks_fps({}) is None
    assert gap_frames(None) == 15 and gap_frames(23.976) == 12


def test_context_frames_let_heldout_windows_reach_back_without_being_trained_on():
    valid = np.ones(216, bool)
    sel = select_frames(valid, 1500, gap=15, context=4)
    train, held = sel.frames[sel.train], sel.frames[sel.heldout]
    assert train[-1] == 178 and held[0] == 194
    context = np.setdiff1d(sel.frames, np.r_[train, held])
    assert list(context) == [190, 191, 192, 193]
    first = sel.heldout[0]
    assert sel.run_start[first] == first - 4  # the held-out run begins with its context
    capped = select_frames(np.ones(10_000, bool), cap=500, run_len=50, gap=15, context=4)
    assert len(capped.frames) == 500 and len(capped.heldout) == 50


def test_split_metadata_counts_frames_and_names_their_runs():
    from render_core.training.split import split_metadata

    meta = split_metadata(np.array([0, 1, 2, 5, 6]), np.array([9, 10]))
    assert meta == {
        "train_frames": 5,
        "train_runs": [[0, 2], [5, 6]],
        "heldout_frames": 2,
        "heldout_runs": [[9, 10]],
    }
