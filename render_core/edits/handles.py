"""Where the viewer's drag handles sit on the edited frame (irises, body joints), and the gaze
that puts one grabbed iris at a drop point.

Handles follow the edits: a joint moved by a body_pose keyframe is drawn, and grabbed again,
where the edit put it; an iris where the gaze edit turned it. Only reenactment and motion
transfer (driving clips) are left out: their handles stay on the tracked pose.

Convention: points are frame px (x right, y down); iris order [subject's left, right];
angles in degrees (params units).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from render_core.edits.body_ops import apply_body_pose
from render_core.edits.face_ops import edit_face
from render_core.edits.inverse import solve_gaze
from render_core.edits.params import GazeParams
from render_core.edits.timeline import EditTimeline
from render_core.states import FaceState
from render_core.tracking.head_pose import principal_point
from render_core.tracking.tracks import Tracks

FACE_EDIT_KINDS = ("expression", "head_pose", "gaze")
IRIS_MOVERS = {"head_pose", "gaze"}


def tracked_face(tracks: Tracks | None, t: int, size: tuple[int, int]) -> FaceState | None:
    """The tracked face of frame `t` (None where the face was not found). size: (w, h) px."""
    f = tracks.face if tracks is not None else None
    if f is None or not 0 <= t < len(f) or not f.valid[t]:
        return None
    return FaceState(f.landmarks[t], f.head_pose[t], f.iris[t], f.focal, principal_point(*size))


def _face_edits(timeline: EditTimeline, t: int) -> dict[str, Any]:
    return {k: v for k, v in timeline.evaluate(t).items() if k in FACE_EDIT_KINDS}


def edited_iris(
    tracks: Tracks | None, t: int, size: tuple[int, int], timeline: EditTimeline
) -> np.ndarray | None:
    """(2, 2) iris px of frame `t` with the timeline's face edits, None without a face. Drawn
    on every frame shown while playing, so frames without a gaze or head pose edit keep the
    tracked irises (11 ms for the whole-face edit on a busy 2-core machine)."""
    face = tracked_face(tracks, t, size)
    if face is None:
        return None
    edits = _face_edits(timeline, t)
    if not IRIS_MOVERS.intersection(edits):
        return face.iris  # an expression alone barely moves the irises: skip the whole-face edit
    return edit_face(face, tracks.face.neutral, edits).iris


def edited_joints(tracks: Tracks | None, t: int, timeline: EditTimeline) -> np.ndarray | None:
    """(33, 4) body joints of frame `t` with the timeline's body_pose edit, None without a body."""
    b = tracks.body if tracks is not None else None
    if b is None or not 0 <= t < len(b) or not b.valid[t]:
        return None
    params = timeline.evaluate(t).get("body_pose")
    return b.joints[t] if params is None else apply_body_pose(b.joints[t], params)


def iris_forward(
    tracks: Tracks, t: int, size: tuple[int, int], timeline: EditTimeline, iris: int
) -> Callable[[GazeParams], np.ndarray]:
    """GazeParams -> (2,) px of iris `iris` (0 left, 1 right) at frame `t`, the frame's other
    face edits applied."""
    face = tracked_face(tracks, t, size)
    if face is None:
        raise ValueError(f"frame {t} has no tracked face")
    others = {k: v for k, v in _face_edits(timeline, t).items() if k != "gaze"}
    neutral = tracks.face.neutral
    return lambda g: edit_face(face, neutral, {**others, "gaze": g}).iris[iris].astype(np.float64)


def gaze_for_iris(
    tracks: Tracks,
    t: int,
    size: tuple[int, int],
    timeline: EditTimeline,
    iris: int,
    target: np.ndarray,
    start: GazeParams,
) -> GazeParams:
    """The gaze offset that puts iris `iris` of frame `t` at `target` (px), or as near as the
    gaze's bounds allow, starting from `start` (the layer's value there)."""
    return solve_gaze(iris_forward(tracks, t, size, timeline, iris), np.asarray(target, np.float64), start)
