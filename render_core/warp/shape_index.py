"""Index of a clip's mouth and eye shapes (landmarks only, built once per clip), to find the
frame whose mouth or eyelids best match an edited face.

Why head space: the same mouth seen under another head pose has other pixel coordinates but
the same head-space shape, so a donor is chosen for its shape; a small penalty per degree of
head rotation between the donor and the edited face prefers donors seen from the same side
(their pixels need less moving).

Shapes: mouth descriptor = the 20 inner-lip points (x, y) in head space (cm) relative to the
outer lip's corners and top (which an opening jaw hardly moves); mouth opening = inner-lip gap
13-14 / mouth width 61-291; eye opening = mean gap of the paired upper/lower lid points / eye
width (corner to corner), per side [subject's left, right].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from render_core.edits import face_regions as R
from render_core.geometry.face_topology import lips
from render_core.geometry.head_space import to_head_space

OPEN_MOUTH = 0.15  # mouth opening above which teeth or the mouth interior show
POSE_COST_CM_PER_DEG = 0.015  # donor choice: 1 deg of head rotation costs as much as 0.015 cm
EYE_POSE_COST_PER_DEG = 0.004  # the same for eye openings (a unitless ratio)
KEEP = 1.08  # the previous donor stays while its cost is within this factor of the best (no flicker)
_LIDS = ((R.LEFT_UPPER_LID, R.LEFT_LOWER_LID, R.LEFT_EYE_CORNERS),
         (R.RIGHT_UPPER_LID, R.RIGHT_LOWER_LID, R.RIGHT_EYE_CORNERS))  # fmt: skip


def mouth_descriptor(head: np.ndarray) -> np.ndarray:
    """(..., 478, 3) head space -> (..., 40): inner-lip (x, y) relative to the outer lip's
    corners and top."""
    inner = list(lips()[1])
    ref = head[..., [61, 291, 0], :2].mean(axis=-2, keepdims=True)
    d = head[..., inner, :2] - ref
    return d.reshape(*d.shape[:-2], -1)


def mouth_opening(head: np.ndarray) -> np.ndarray:
    """(..., 478, 3) -> (...): inner-lip gap / mouth width."""
    gap = np.linalg.norm(head[..., 13, :] - head[..., 14, :], axis=-1)
    return gap / np.maximum(np.linalg.norm(head[..., 61, :] - head[..., 291, :], axis=-1), 1e-6)


def eye_opening(head: np.ndarray) -> np.ndarray:
    """(..., 478, 3) -> (..., 2): lid gap / eye width, [subject's left, right]."""
    out = []
    for upper, lower, corners in _LIDS:
        gap = np.linalg.norm(head[..., list(upper), :] - head[..., list(lower), :], axis=-1).mean(-1)
        width = np.linalg.norm(head[..., corners[0], :] - head[..., corners[1], :], axis=-1)
        out.append(gap / np.maximum(width, 1e-6))
    return np.stack(out, axis=-1)


def _angles_deg(rots: np.ndarray, rot: np.ndarray) -> np.ndarray:
    """(T,) angle between each of (T, 3, 3) rotations and (3, 3) `rot`, degrees."""
    tr = np.einsum("tij,ij->t", rots, rot)
    return np.degrees(np.arccos(np.clip((tr - 1.0) / 2.0, -1.0, 1.0)))


@dataclass(frozen=True)
class ShapeIndex:
    """One clip's per-frame shapes. frames: (T,) clip frame numbers of the valid track rows."""

    frames: np.ndarray
    mouth: np.ndarray  # (T, 40) cm
    opening: np.ndarray  # (T,)
    eyes: np.ndarray  # (T, 2)
    rotations: np.ndarray  # (T, 3, 3) head rotations

    @staticmethod
    def from_clip(clip) -> ShapeIndex:
        """From a `render.sources.ClipTracks` (its face track at full size)."""
        f = clip.tracks.face
        rows = np.flatnonzero(f.valid) if f is not None else np.zeros(0, int)
        head = np.stack(
            [to_head_space(f.landmarks[t], f.head_pose[t], f.focal, clip.principal) for t in rows]
        ) if len(rows) else np.zeros((0, 478, 3), np.float32)  # fmt: skip
        rots = np.asarray(f.head_pose[rows, :3, :3], np.float64) if len(rows) else np.zeros((0, 3, 3))
        return ShapeIndex(
            rows + clip.start, mouth_descriptor(head), mouth_opening(head), eye_opening(head), rots
        )

    @property
    def shows_open_mouth(self) -> bool:
        return bool(len(self.opening)) and float(self.opening.max()) > OPEN_MOUTH

    def blinks(self, side: int) -> bool:
        """Whether the clip shows that eye at most half as open as usual."""
        if not len(self.eyes):
            return False
        e = self.eyes[:, side]
        return float(e.min()) < 0.5 * float(np.median(e))

    def open_mouth_frames(self) -> np.ndarray:
        """Clip frame numbers whose mouth is open (teeth or interior showing)."""
        return self.frames[self.opening > OPEN_MOUTH]

    def _pick(self, ok: np.ndarray, cost: np.ndarray, previous: int | None, slack: float) -> int:
        """The cheapest frame, or `previous` while it costs at most KEEP x the cheapest (+ slack):
        teeth or lids that change donor every frame flicker."""
        frames = self.frames[ok]
        best = int(np.argmin(cost))
        if previous is not None:
            hit = np.flatnonzero(frames == previous)
            if len(hit) and cost[hit[0]] <= KEEP * cost[best] + slack:
                return int(previous)
        return int(frames[best])

    def mouth_donor(
        self, head: np.ndarray, rot: np.ndarray, previous: int | None = None, open_only: bool = True
    ) -> int | None:
        """The clip frame whose open mouth best matches head-space face `head` (478, 3) seen
        with head rotation `rot` (`previous`: the last frame's donor, kept while nearly as good);
        None when the clip never opens its mouth. open_only False: any frame (closed lips)."""
        ok = self.opening > OPEN_MOUTH if open_only else np.ones(len(self.opening), bool)
        if not ok.any():
            return None
        rms = np.sqrt(
            ((self.mouth[ok] - mouth_descriptor(head)) ** 2).reshape(ok.sum(), -1, 2).sum(-1).mean(-1)
        )
        cost = rms + POSE_COST_CM_PER_DEG * _angles_deg(self.rotations[ok], rot)
        return self._pick(ok, cost, previous, 0.02)

    def eye_donor(
        self, side: int, opening: float, rot: np.ndarray, previous: int | None = None
    ) -> int | None:
        """The clip frame whose eye `side` is about as open as `opening` (and whose head turns
        least away from `rot`); None when no frame is within reach of that opening."""
        if not len(self.eyes):
            return None
        e = self.eyes[:, side]
        reach = 0.5 * float(np.median(e))  # a donor farther than this from the asked opening is no help
        ok = np.abs(e - opening) < reach
        if not ok.any():
            return None
        cost = np.abs(e[ok] - opening) + EYE_POSE_COST_PER_DEG * _angles_deg(self.rotations[ok], rot)
        return self._pick(ok, cost, previous, 0.01)
