"""The structure-from-motion stages' own contracts: which pairs are matched, COLMAP running in
a process of its own with its progress relayed, and a cancel that ends that process."""

import multiprocessing
import sys
import threading

import cv2
import pytest

from render_core.jobs import Cancelled, JobContext
from render_core.project.sfm import SfmConfig, frame_pairs
from render_core.project.sfm_process import recover_cameras_apart

from .video_clips import noise_image


def test_pairs_match_neighbours_and_close_the_loop():
    pairs = frame_pairs(100, overlap=3, loop=4)
    assert (0, 1) in pairs and (0, 3) in pairs and (0, 4) not in pairs and (96, 99) in pairs
    assert (0, 99) in pairs and (3, 96) in pairs and (4, 95) not in pairs
    assert all(i < j for i, j in pairs) and len(pairs) == len(set(pairs))
    assert frame_pairs(3, overlap=12, loop=10) == [(0, 1), (0, 2), (1, 2)]


def test_a_cancel_ends_the_colmap_process(tmp_path):
    """COLMAP runs in a child process (its OpenMP runtime kept apart from torch's); a cancel
    ends that process and leaves none behind."""
    names = []
    for i in range(24):
        names.append(tmp_path / f"{i:06d}.jpg")
        cv2.imwrite(str(names[-1]), noise_image((640, 480), seed=i))
    stages = []
    ctx = JobContext(lambda p: stages.append(p.message))
    threading.Timer(1.5, ctx.cancel).start()
    with pytest.raises(Cancelled):
        recover_cameras_apart(names, tmp_path, SfmConfig(chunk=4), ctx)
    assert not multiprocessing.active_children()


def test_colmap_runs_apart_and_reports_its_progress(tmp_path):
    names = []
    for i in range(6):
        names.append(tmp_path / f"{i:06d}.jpg")
        cv2.imwrite(str(names[-1]), noise_image((320, 240), seed=i))
    seen = []
    result = recover_cameras_apart(names, tmp_path, SfmConfig(chunk=2), JobContext(seen.append))
    assert result is None or len(result.registered) < len(names)  # noise: nothing to place
    assert any(p.message.startswith("features") for p in seen)
    assert [p.fraction for p in seen] == sorted(p.fraction for p in seen)
    assert "pycolmap" not in sys.modules  # the test process never loaded it
