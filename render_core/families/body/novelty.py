"""How far a pose is from every pose a body model was trained on: where a render will fail.

Why: a personal body model learns one clip. Asked for a pose that clip never shows (raised arms
when the target only walked), its output falls apart, and a user has no way to tell such frames
from a bad model. The distance in normalized pose space to the nearest training pose says it
ahead of time, so a transfer can name the frames to expect artifacts on (and what footage to
add).

The measure: core joints (nose, shoulders, elbows, wrists, hips, knees, ankles), hip-centred and
divided by the torso length, so position and size in the frame do not count; the mean over
joints of their distance, in torso lengths. A training checkpoint keeps a `pose bank` of its
training frames' normalized poses, thinned so no two kept poses are closer than `BANK_SPACING`.

Convention: joints (N, 33, 4) px (x, y, z, visibility); normalized poses (N, 13, 2) with NaN for
joints not visible.
"""

from __future__ import annotations

import numpy as np

from render_core.contract import NoteSpec
from render_core.families.body.stick_figure import body_scale

CORE_JOINTS = (0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28)
# Poses the bank keeps are at least this far apart (torso lengths): a near-duplicate adds
# nothing, and a novelty read against the thinned bank is at most this much too high.
BANK_SPACING = 0.02
# A pose farther than this from every training pose counts as unseen: on transfers of a dance
# onto body models, outputs past it followed the asked-for joints clearly worse (calibration:
# docs/performance.md).
UNSEEN_POSE = 0.4
# The body renderer's per-frame note: the asked-for pose's distance to the nearest training pose.
POSE_NOVELTY = NoteSpec(
    name="pose_novelty",
    threshold=UNSEEN_POSE,
    max_key="pose_novelty_max",
    count_key="unseen_pose_frames",
    runs_key="unseen_pose_runs",
    warning="{count} of {total} frames ask the body model for poses its training clip never shows "
    "(frames {spans}): expect artifacts there; training on footage with such poses helps",
)
_CHUNK = 256  # query poses per distance block: memory stays bounded whatever the clip length


def normalized_pose(joints: np.ndarray) -> np.ndarray:
    """(33, 4) -> (13, 2) core joints, hip-centred and divided by torso length (NaN if unseen)."""
    xy = np.where((np.nan_to_num(joints[:, 3]) >= 0.5)[:, None], joints[:, :2], np.nan)
    hip = np.nanmean(xy[[23, 24]], axis=0) if np.isfinite(xy[[23, 24]]).all() else np.nanmean(xy, axis=0)
    scale = max(body_scale(np.nan_to_num(joints)), 1e-3)
    return (xy[list(CORE_JOINTS)] - hip) / scale


def normalized_poses(joints: np.ndarray) -> np.ndarray:
    """(N, 33, 4) -> (N, 13, 2); an untracked frame (all joints NaN) gives all NaN."""
    out = np.full((len(joints), len(CORE_JOINTS), 2), np.nan)
    for i, j in enumerate(joints):
        if np.isfinite(j[:, :2]).any():
            out[i] = normalized_pose(j)
    return out


def nearest_poses(query: np.ndarray, bank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each normalized query pose (Q, 13, 2): the index of the nearest bank pose (B, 13, 2)
    and the mean distance of the joints both have (torso lengths; inf where none is shared)."""
    index = np.zeros(len(query), int)
    dist = np.full(len(query), np.inf)
    if len(bank) == 0:
        return index, dist
    for a in range(0, len(query), _CHUNK):
        diff = np.linalg.norm(query[a : a + _CHUNK, None] - bank[None], axis=-1)  # (q, B, 13)
        ok = np.isfinite(diff)
        mean = np.where(ok, diff, 0).sum(-1) / np.maximum(ok.sum(-1), 1)
        mean[ok.sum(-1) == 0] = np.inf
        index[a : a + _CHUNK] = np.argmin(mean, axis=1)
        dist[a : a + _CHUNK] = mean.min(axis=1)
    return index, dist


def pose_bank(joints: np.ndarray, spacing: float = BANK_SPACING) -> np.ndarray:
    """The normalized poses of frames `joints` (N, 33, 4), thinned greedily in frame order so
    every dropped pose lies within `spacing` of a kept one; untracked frames are skipped."""
    poses = normalized_poses(joints)
    bank, n = np.empty_like(poses), 0
    for pose in poses:
        if np.isfinite(pose).any() and (n == 0 or nearest_poses(pose[None], bank[:n])[1][0] >= spacing):
            bank[n], n = pose, n + 1
    return bank[:n]


def bank_to_json(bank: np.ndarray) -> list:
    """A bank as nested lists for a checkpoint's metadata (3 decimals; None for NaN)."""
    rounded = np.round(np.asarray(bank, float), 3)
    return np.where(np.isfinite(rounded), rounded, None).tolist()


def bank_from_json(rows: list) -> np.ndarray:
    return np.array(rows, dtype=float).reshape(-1, len(CORE_JOINTS), 2)


def novelty(joints: np.ndarray, bank: np.ndarray) -> np.ndarray:
    """(N,) distance of each frame's pose `joints` (N, 33, 4) to the nearest bank pose, in torso
    lengths; NaN for untracked frames."""
    query = normalized_poses(joints)
    dist = nearest_poses(query, bank)[1]
    dist[~np.isfinite(query).any(axis=(1, 2))] = np.nan
    return dist
