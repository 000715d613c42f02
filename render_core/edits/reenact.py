"""Face reenactment by relative motion transfer (the classical counterpart of LivePortrait's
relative mode): the target performs the driving face's motion *relative to a neutral frame*,
so the target keeps its own identity, proportions and rest pose.

- expression: driving head-space offsets (frame t minus the driving neutral frame) of the 468
  mesh points, re-expressed in the target face's axes and scaled by the face-size ratio, are
  added to the target's neutral-frame landmarks; given both clips' expression ranges, each
  region's offsets are rescaled by target / driver range (`edits.retarget`), and the lids
  always take the driver's lid opening as a ratio of its rest opening.
- head_pose: the driving head's rotation relative to its neutral frame (in its own face axes)
  is applied to the target's neutral-frame pose about the target head's centre; the centre
  stays where the target's head is at frame t (the body it sits on does not move).
- gaze: the same relative offsets for the iris points (468-477).
`strength` in [0, 1] blends each channel from the target's own frame t to the reenacted one
(rotations by geodesic interpolation).

Convention: FaceStates as in render_core.states (landmarks (478, 3) px, head_pose (4, 4)
camera-from-head); head space as in geometry.head_space.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from render_core.edits import face_regions as R
from render_core.edits.face_frame import FaceFrame, face_frame
from render_core.edits.retarget import ExpressionRange, lid_ratio, retarget_offsets, set_lids
from render_core.geometry.head_space import from_head_space, to_head_space
from render_core.states import FaceState

MESH = slice(0, R.IRIS[0])
IRIS = slice(R.IRIS[0], R.IRIS[-1] + 1)


@dataclass(frozen=True)
class FacePair:
    """A clip's face at frame t and at its chosen neutral frame."""

    current: FaceState
    neutral: FaceState


def _head(s: FaceState) -> np.ndarray:
    return to_head_space(s.landmarks, s.head_pose, s.focal, s.principal).astype(np.float64)


def _basis(fr: FaceFrame) -> np.ndarray:
    """(3, 3) columns: the face's left, up, out axes in head space."""
    return np.stack([fr.left, fr.up, fr.out], axis=1)


def rotation_power(Rm: np.ndarray, s: float) -> np.ndarray:
    """R^s for a rotation matrix: the same axis, s times the angle (Rodrigues)."""
    angle = float(np.arccos(np.clip((np.trace(Rm) - 1.0) / 2.0, -1.0, 1.0)))
    if angle < 1e-9:
        return np.eye(3)
    if np.pi - angle < 1e-6:  # axis from the symmetric part when sin(angle) ~ 0
        w, v = np.linalg.eigh((Rm + np.eye(3)) / 2.0)
        k = v[:, int(np.argmax(w))]
    else:
        k = np.array([Rm[2, 1] - Rm[1, 2], Rm[0, 2] - Rm[2, 0], Rm[1, 0] - Rm[0, 1]]) / (2.0 * np.sin(angle))
    K = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    a = s * angle
    return np.eye(3) + np.sin(a) * K + (1.0 - np.cos(a)) * (K @ K)


def _transfer_offsets(
    tgt_n: np.ndarray,
    drv_n: np.ndarray,
    drv_t: np.ndarray,
    ranges: tuple[ExpressionRange, ExpressionRange] | None = None,
) -> np.ndarray:
    """(478, 3) target-neutral landmarks plus the driving offsets mapped into target axes
    (given `ranges` = (target's, driver's): rescaled per region, lids at the driver's lid ratio)."""
    ft, fd = face_frame(tgt_n), face_frame(drv_n)
    local = (drv_t - drv_n) @ _basis(fd)  # offsets in the driving face's (L, U, O) coordinates
    offsets = (ft.size / fd.size) * local @ _basis(ft).T
    if ranges is None:  # the offsets as they are, scaled by face size only
        return tgt_n + offsets
    offsets = retarget_offsets(offsets, tgt_n, *ranges)
    floor = ranges[1].eye_floor
    ratios = (lid_ratio(drv_t, drv_n, 0, floor), lid_ratio(drv_t, drv_n, 1, floor))
    return set_lids(tgt_n + offsets, tgt_n, ratios)


def _reenacted_pose(target: FacePair, driving: FacePair, strength: float) -> np.ndarray:
    ft, fd = face_frame(_head(target.neutral)), face_frame(_head(driving.neutral))
    q = driving.neutral.head_pose[:3, :3].T @ driving.current.head_pose[:3, :3]  # driving head coords
    q_t = _basis(ft) @ (_basis(fd).T @ q @ _basis(fd)) @ _basis(ft).T
    r_new = np.asarray(target.neutral.head_pose[:3, :3], np.float64) @ q_t
    r_cur = np.asarray(target.current.head_pose[:3, :3], np.float64)
    rot = r_cur @ rotation_power(r_cur.T @ r_new, strength)
    centre_cam = r_cur @ ft.centre + target.current.head_pose[:3, 3]
    pose = np.eye(4)
    pose[:3, :3] = rot
    pose[:3, 3] = centre_cam - rot @ ft.centre
    return pose


def reenact_face(
    target: FacePair,
    driving: FacePair,
    strength: float,
    channels: tuple[str, ...] = ("expression", "head_pose", "gaze"),
    ranges: tuple[ExpressionRange, ExpressionRange] | None = None,
) -> FaceState:
    """The target's face at frame t performing the driving face's relative motion; `ranges`
    (target's, driver's): retarget the expression per region (`edits.retarget`)."""
    tgt_t, tgt_n = _head(target.current), _head(target.neutral)
    moved = _transfer_offsets(tgt_n, _head(driving.neutral), _head(driving.current), ranges)
    head = tgt_t.copy()
    if "expression" in channels:
        head[MESH] = (1.0 - strength) * tgt_t[MESH] + strength * moved[MESH]
    if "gaze" in channels:
        head[IRIS] = (1.0 - strength) * tgt_t[IRIS] + strength * moved[IRIS]
    cur = target.current
    pose = _reenacted_pose(target, driving, strength) if "head_pose" in channels else cur.head_pose
    idx = [R.LEFT_IRIS[0], R.RIGHT_IRIS[0]]
    tracked_iris = from_head_space(tgt_t[idx], cur.head_pose, cur.focal, cur.principal)[:, :2]
    new_iris = from_head_space(head[idx], pose, cur.focal, cur.principal)[:, :2]
    iris = np.asarray(cur.iris, np.float64) + new_iris - tracked_iris
    landmarks = from_head_space(head, pose, cur.focal, cur.principal)
    return replace(
        cur, landmarks=landmarks, head_pose=np.asarray(pose, np.float32), iris=iris.astype(np.float32)
    )
