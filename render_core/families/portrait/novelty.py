"""How far an edited face is from every face a portrait model was trained on: where it will fail.

Why: a personal portrait model learns one clip. Asked for an expression or head pose the clip
never shows (a wide-open mouth when the speaker only murmured, a head turned past anything
filmed), it has nothing to draw from, and a user cannot tell such frames from a bad model. The
distance to the nearest training face says it ahead of time, per frame.

The measure, in eye spans (the distance between the outer eye corners): the expressive points
(lips, eye openings, brows) in head space, so head position and rotation do not count, divided
by the frame's eye span; a face's distance to another is the mean distance of those points plus
the angle between the two head rotations in radians (a point one eye span from the pivot moves
that far). A checkpoint keeps a `face bank` of its training frames' features, thinned so no two
kept faces are closer than `BANK_SPACING`.

Convention: landmarks (N, 478, 3) px; head_pose (N, 4, 4) camera-from-head; features (N, F):
the expressive points' head-space (x, y) over the eye span, then yaw, pitch, roll (radians).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from render_core.contract import NoteSpec
from render_core.geometry import face_topology as ft
from render_core.geometry.head_space import to_head_space
from render_core.geometry.rotations import matrix_to_euler

BROWS = (70, 63, 105, 66, 107, 336, 296, 334, 293, 300)
OUTER_EYES = (33, 263)
# Eye spans per radian of head rotation: the face's points lie about half an eye span in front
# of the head's pivot in the image's depth order, so a turn moves them about that much.
POSE_WEIGHT = 0.5
BANK_SPACING = 0.02  # eye spans: a nearer face adds nothing to the bank
# A face farther than this from every training face counts as unseen (eye spans). Measured on
# d18 and the Pexels clip (training faces: the first 90%): d18's held-out faces lie <= 0.054 from
# them, its jaw_open 0.5 / 1 edits <= 0.08 / 0.11 (it talks), yaw +25 0.22-0.26; Pexels' own
# held-out faces (new emotions at its end) 0.11 median, 0.23 at most; its jaw_open 1 0.22-0.39.
# Against output error (165 held-out frames of four clips, 10-minute models): the model leads the
# warp renderer by 1.4-2.4 dB on faces under 0.10 from its training faces and by 0.2-0.6 dB past
# 0.10 (docs/performance.md): past this threshold it has learnt nothing the warp does not give.
UNSEEN_FACE = 0.15
# The portrait renderer's per-frame note: the asked-for face's distance to the nearest training face.
FACE_NOVELTY = NoteSpec(
    name="face_novelty",
    threshold=UNSEEN_FACE,
    max_key="face_novelty_max",
    count_key="unseen_face_frames",
    runs_key="unseen_face_runs",
    warning="{count} of {total} frames ask the portrait model for expressions or head poses its "
    "training clip never shows (frames {spans}): expect artifacts there; training on footage that "
    "shows them helps",
)
_CHUNK = 256


@lru_cache(maxsize=1)
def regions() -> tuple[tuple[int, ...], ...]:
    """Mouth (both lip contours), eye openings, brows: the parts an expression moves."""
    outer, inner = ft.lips()
    left, right = ft.eyes()
    return tuple(dict.fromkeys(outer + inner)), left + right, BROWS


def expressive_points() -> tuple[int, ...]:
    return tuple(p for r in regions() for p in r)


def face_features(
    landmarks: np.ndarray, head_pose: np.ndarray, focal: float, principal: tuple[float, float]
) -> np.ndarray:
    """(N, 478, 3) px + (N, 4, 4) -> (N, F) features (NaN rows for non-finite input)."""
    pts = list(expressive_points())
    out = np.full((len(landmarks), 2 * len(pts) + 3), np.nan)
    for i, (lm, pose) in enumerate(zip(landmarks, head_pose, strict=True)):
        if not (np.isfinite(lm).all() and np.isfinite(pose).all()):
            continue
        head = to_head_space(lm, pose, focal, principal).astype(np.float64)
        span = max(float(np.linalg.norm(head[OUTER_EYES[0]] - head[OUTER_EYES[1]])), 1e-6)
        out[i, :-3] = (head[pts, :2] / span).ravel()
        out[i, -3:] = matrix_to_euler(pose[:3, :3])
    return out


def nearest_faces(query: np.ndarray, bank: np.ndarray) -> np.ndarray:
    """(Q,) distance (eye spans) of each query feature row (Q, F) to the nearest bank row (B, F);
    inf with an empty bank, NaN for NaN queries."""
    dist = np.full(len(query), np.inf)
    if len(bank) == 0:
        return dist
    n = (query.shape[1] - 3) // 2
    bank_pts = bank[:, :-3].reshape(len(bank), n, 2)
    bounds = np.cumsum([0] + [len(r) for r in regions()])
    for a in range(0, len(query), _CHUNK):
        q = query[a : a + _CHUNK]
        point = np.linalg.norm(q[:, None, :-3].reshape(len(q), 1, n, 2) - bank_pts[None], axis=-1)
        shape = np.max(
            [point[..., lo:hi].mean(-1) for lo, hi in zip(bounds[:-1], bounds[1:], strict=False)], axis=0
        )
        pose = np.linalg.norm(q[:, None, -3:] - bank[None, :, -3:], axis=-1)
        dist[a : a + _CHUNK] = (shape + POSE_WEIGHT * pose).min(axis=1)
    dist[~np.isfinite(query).all(axis=1)] = np.nan
    return dist


def face_bank(features: np.ndarray, spacing: float = BANK_SPACING) -> np.ndarray:
    """The feature rows (N, F), thinned greedily in order so every dropped face lies within
    `spacing` of a kept one; NaN rows skipped."""
    bank, n = np.empty_like(features), 0
    for row in features:
        if np.isfinite(row).all() and (n == 0 or nearest_faces(row[None], bank[:n])[0] >= spacing):
            bank[n], n = row, n + 1
    return bank[:n]


def bank_to_json(bank: np.ndarray) -> list:
    """A bank as nested lists for a checkpoint's metadata (4 decimals)."""
    return np.round(np.asarray(bank, float), 4).tolist()


def bank_from_json(rows: list) -> np.ndarray:
    return np.asarray(rows, dtype=float).reshape(len(rows), -1)
