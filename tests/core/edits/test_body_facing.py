"""The run of frames where a body faces as at one frame: stops where the shoulders swap or go
side-on, bridges untracked frames inside, drops them at its ends."""

from __future__ import annotations

import numpy as np
import pytest

from render_core.edits.body_facing import facing, facing_run


def _turning_body(spans: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """(T, 33, 4) joints whose left-minus-right shoulder x is `spans[t]`."""
    joints = np.zeros((len(spans), 33, 4), np.float32)
    joints[:, 11, 0] = 100 + np.asarray(spans) / 2
    joints[:, 12, 0] = 100 - np.asarray(spans) / 2
    return joints, np.ones(len(spans), bool)


def test_run_stops_where_the_person_turns_around():
    joints, valid = _turning_body([40, 40, 38, 30, 5, -30, -40, -40])
    assert list(facing(joints, valid, 1)) == [1, 1, 1, 1, 0, -1, -1, -1]
    assert facing_run(joints, valid, 1) == (0, 3)
    assert facing_run(joints, valid, 6) == (5, 7)


def test_untracked_frames_bridge_inside_and_trim_at_the_ends():
    joints, valid = _turning_body([40, 40, 40, 40, -40, 40])
    valid[[1, 3]] = False
    assert facing_run(joints, valid, 2) == (0, 2)  # 3 is untracked before the turn at 4
    valid[:] = True
    valid[0] = False
    assert facing_run(joints, valid, 2) == (1, 3)


def test_untracked_or_side_on_frame_gives_the_whole_clip():
    joints, valid = _turning_body([40, 0, -40])
    assert facing_run(joints, valid, 1) == (0, 2)
    with pytest.raises(ValueError, match="outside"):
        facing_run(joints, valid, 3)
