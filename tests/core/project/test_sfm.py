"""The structure-from-motion stages' own contracts: which pairs are matched, and a cancel that
stops a pycolmap call already running."""

import threading

import cv2
import pytest

from render_core.jobs import Cancelled, JobContext
from render_core.project.sfm import SfmConfig, extract_features, frame_pairs

from .video_clips import noise_image


def test_pairs_match_neighbours_and_close_the_loop():
    pairs = frame_pairs(100, overlap=3, loop=4)
    assert (0, 1) in pairs and (0, 3) in pairs and (0, 4) not in pairs and (96, 99) in pairs
    assert (0, 99) in pairs and (3, 96) in pairs and (4, 95) not in pairs
    assert all(i < j for i, j in pairs) and len(pairs) == len(set(pairs))
    assert frame_pairs(3, overlap=12, loop=10) == [(0, 1), (0, 2), (1, 2)]


def test_a_cancel_interrupts_a_running_pycolmap_call(tmp_path):
    import pycolmap

    names = []
    for i in range(24):
        names.append(f"{i:06d}.jpg")
        cv2.imwrite(str(tmp_path / names[-1]), noise_image((640, 480), seed=i))
    ctx = JobContext()
    cfg = SfmConfig(chunk=len(names))  # one call: only the token can stop it early
    threading.Timer(0.3, ctx.cancel).start()
    with pytest.raises(Cancelled):
        extract_features(tmp_path / "database.db", tmp_path, names, cfg, ctx)
    db = pycolmap.Database.open(tmp_path / "database.db")
    try:
        assert db.num_images() < len(names)  # stopped inside the call, not after it
    finally:
        db.close()
