"""Pose novelty: hand-computed distances in torso lengths, invariance to where and how big the
person stands, the thinned bank, and the metadata round trip."""

from __future__ import annotations

import json

import numpy as np

from render_core.families.body import novelty as pn

L_WRIST = 15


def _person(x0: float = 100.0, y0: float = 50.0, s: float = 1.0) -> np.ndarray:
    """(33, 4) joints of a standing person at (x0, y0), torso length 100 * s px (shoulders at
    y0 + 50 s, hips at y0 + 150 s)."""
    j = np.zeros((33, 4), np.float32)
    j[:, 3] = 1.0
    j[:, 0], j[:, 1] = x0, y0
    rows = {11: (-20, 50), 12: (20, 50), 13: (-25, 100), 14: (25, 100), 15: (-25, 140),
            16: (25, 140), 23: (-15, 150), 24: (15, 150), 25: (-15, 220), 26: (15, 220),
            27: (-15, 290), 28: (15, 290)}  # fmt: skip
    for k, (dx, dy) in rows.items():
        j[k, :2] = (x0 + dx * s, y0 + dy * s)
    return j


def test_normalized_pose_is_hip_centred_in_torso_lengths():
    pose = pn.normalized_pose(_person())
    assert pose.shape == (13, 2)
    hips = [pn.CORE_JOINTS.index(23), pn.CORE_JOINTS.index(24)]
    np.testing.assert_allclose(pose[hips].mean(0), [0, 0], atol=1e-6)
    np.testing.assert_allclose(pose[pn.CORE_JOINTS.index(27)], [-0.15, 1.4], atol=1e-6)


def test_novelty_ignores_position_and_size_and_measures_a_moved_wrist():
    bank = pn.pose_bank(_person()[None])
    moved = _person(x0=300, y0=10, s=0.5)
    moved[L_WRIST, 1] -= 100 * 0.5 * 1.3  # the wrist 1.3 torso lengths up
    query = np.stack([_person(x0=300, y0=10, s=0.5), moved, np.full((33, 4), np.nan, np.float32)])
    gap = pn.novelty(query, bank)
    np.testing.assert_allclose(gap[:2], [0.0, 1.3 / 13], atol=1e-5)  # one of 13 joints moved
    assert np.isnan(gap[2])  # untracked


def test_invisible_joints_do_not_count():
    bank = pn.pose_bank(_person()[None])
    q = _person()
    q[L_WRIST, :2] += 500.0
    q[L_WRIST, 3] = 0.1  # the detector did not see it: no evidence of a new pose
    assert pn.novelty(q[None], bank)[0] < 1e-6


def test_bank_thins_near_duplicates_and_skips_untracked_frames():
    a = _person()
    near = _person()
    near[L_WRIST, 0] += 100 * 0.01 * 13  # mean over joints: 0.01 torso lengths
    far = _person()
    far[L_WRIST, 1] -= 100.0
    untracked = np.full((33, 4), np.nan, np.float32)
    bank = pn.pose_bank(np.stack([a, near, untracked, far]), spacing=0.02)
    assert len(bank) == 2
    np.testing.assert_allclose(bank[0], pn.normalized_pose(a))
    np.testing.assert_allclose(bank[1], pn.normalized_pose(far))


def test_nearest_poses_in_chunks_match_the_whole_matrix():
    rng = np.random.default_rng(0)
    query, bank = rng.normal(size=(pn._CHUNK * 2 + 5, 13, 2)), rng.normal(size=(40, 13, 2))
    bank[3, 4] = np.nan
    index, dist = pn.nearest_poses(query, bank)
    full = np.nanmean(np.linalg.norm(query[:, None] - bank[None], axis=-1), axis=-1)
    np.testing.assert_array_equal(index, full.argmin(1))
    np.testing.assert_allclose(dist, full.min(1))
    assert np.isinf(pn.nearest_poses(query[:2], bank[:0])[1]).all()


def test_bank_survives_the_json_metadata_with_missing_joints():
    j = _person()
    j[L_WRIST, 3] = 0.0
    bank = pn.pose_bank(j[None])
    back = pn.bank_from_json(json.loads(json.dumps(pn.bank_to_json(bank))))
    assert back.shape == bank.shape and np.isnan(back[0, pn.CORE_JOINTS.index(L_WRIST)]).all()
    np.testing.assert_allclose(back[np.isfinite(back)], bank[np.isfinite(bank)], atol=5e-4)
