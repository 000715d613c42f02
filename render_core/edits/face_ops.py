"""Face edit operations: expression, head pose and gaze, and `edit_face` applying them to a frame.

Convention: head space as in `geometry.head_space` (head units ~cm; `head_pose` (4, 4)
camera-from-head, OpenCV camera). Directions come from the face itself (`FaceFrame`), so the
edits hold for any head-space axis convention. Angles arrive in degrees (params) and are
converted here. Iris arrays are (2, 2) px, rows [subject's left, right].

Gaze: an eyeball of radius 0.135 eye spans (1.2 cm for a 9 cm span) centred behind the iris
along the face's out axis; a gaze offset rotates the iris (centre and ring) about that centre,
horizontal toward the subject's left, vertical toward up, and the result is projected.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from render_core.edits import face_regions as R
from render_core.edits.expression import apply_expression, expression_delta
from render_core.edits.face_frame import FaceFrame, face_frame, rotate_about, rotation_toward
from render_core.edits.params import ExpressionParams, GazeParams, HeadPoseParams
from render_core.geometry.head_space import from_head_space, to_head_space
from render_core.states import FaceState

__all__ = [
    "EyeGeometry",
    "apply_expression",
    "apply_gaze",
    "apply_head_pose",
    "edit_face",
    "expression_delta",
    "eye_geometry",
    "gaze_rotations",
]

EYEBALL_RADIUS = 0.135  # in eye spans: 1.2 cm / 8.9 cm


def head_rotation(params: HeadPoseParams, fr: FaceFrame) -> np.ndarray:
    """(3, 3) head-space rotation R = R_yaw @ R_pitch @ R_roll about the face's own axes.

    Signs follow the tracker's Euler angles (`geometry.rotations`), so an edit of +10 deg yaw
    adds 10 deg to the tracked yaw: yaw > 0 turns the nose toward the subject's right (the
    image's left for a frontal face), pitch > 0 tilts the nose down, roll > 0 turns the up axis
    toward the subject's left (top of the head to the image's right).
    """
    yaw = rotation_toward(fr.out, fr.left, -np.deg2rad(params.yaw))
    pitch = rotation_toward(fr.out, fr.up, -np.deg2rad(params.pitch))
    roll = rotation_toward(fr.up, fr.left, np.deg2rad(params.roll))
    return yaw @ pitch @ roll


def apply_head_pose(head_pose: np.ndarray, params: HeadPoseParams, fr: FaceFrame) -> np.ndarray:
    """(4, 4) camera-from-head pose with the edit: rotation about the head centre `fr.centre`,
    then a camera-space shift (x right, y up, z toward the camera) in % of `fr.size`."""
    R3 = head_rotation(params, fr)
    T = np.eye(4)
    T[:3, :3] = R3
    T[:3, 3] = fr.centre - R3 @ fr.centre
    out = np.asarray(head_pose, np.float64) @ T
    out[:3, 3] += fr.size / 100.0 * np.array([params.tx, -params.ty, -params.tz])
    return out


def gaze_rotations(params: GazeParams, fr: FaceFrame) -> np.ndarray:
    """(3, 3) eyeball rotation: horizontal toward the subject's left, vertical toward up."""
    h = rotation_toward(fr.out, fr.left, np.deg2rad(params.horizontal))
    v = rotation_toward(fr.out, fr.up, np.deg2rad(params.vertical))
    return h @ v


@dataclass(frozen=True)
class EyeGeometry:
    """Both eyes in head space (rows [subject's left, right]) and the projection to pixels.

    iris: (2, 3) iris centres; centres: (2, 3) eyeball centres; frame: the face's axes."""

    iris: np.ndarray
    centres: np.ndarray
    frame: FaceFrame
    head_pose: np.ndarray
    focal: float
    principal: tuple[float, float]


def eye_geometry(
    landmarks_head: np.ndarray,
    fr: FaceFrame,
    head_pose: np.ndarray,
    focal: float,
    principal: tuple[float, float],
) -> EyeGeometry:
    """Eyes from (478, 3) head-space landmarks (iris centres 473, 468)."""
    iris = np.asarray(landmarks_head, np.float64)[[R.LEFT_IRIS[0], R.RIGHT_IRIS[0]]]
    centres = iris - EYEBALL_RADIUS * fr.size * fr.out
    return EyeGeometry(iris, centres, fr, np.asarray(head_pose, np.float64), focal, principal)


def apply_gaze(iris_px: np.ndarray, eyes: EyeGeometry, params: GazeParams) -> np.ndarray:
    """(2, 2) iris px moved by the gaze offset: each iris rotates about its eyeball centre and
    the projected displacement is added to the tracked position (so tracker offsets survive)."""
    Rg = gaze_rotations(params, eyes.frame)
    moved = np.stack([rotate_about(eyes.iris[i : i + 1], Rg, eyes.centres[i])[0] for i in range(2)])
    before = from_head_space(eyes.iris, eyes.head_pose, eyes.focal, eyes.principal)[:, :2]
    after = from_head_space(moved, eyes.head_pose, eyes.focal, eyes.principal)[:, :2]
    return (np.asarray(iris_px, np.float64) + after - before).astype(np.float32)


def _gaze_mesh(head: np.ndarray, eyes: EyeGeometry, params: GazeParams) -> np.ndarray:
    """Rotate both iris rings (468-477) of (478, 3) head landmarks about their eyeball centres."""
    out = head.copy()
    Rg = gaze_rotations(params, eyes.frame)
    for ring, c in ((R.LEFT_IRIS, eyes.centres[0]), (R.RIGHT_IRIS, eyes.centres[1])):
        out[list(ring)] = rotate_about(head[list(ring)], Rg, c)
    return out


def edit_face(face: FaceState, neutral_head: np.ndarray, edits: dict[str, Any]) -> FaceState:
    """The edited face of one frame.

    face: tracked state (landmarks (478, 3) px). neutral_head: (478, 3) the subject's neutral
    landmarks in head space (axes, size). edits: {"expression": ExpressionParams,
    "head_pose": HeadPoseParams, "gaze": GazeParams} (any subset; other kinds are ignored).
    Landmarks go px -> head space with the tracked pose, get the expression deltas, and are
    projected back with the edited pose; the iris follows the pose and the gaze offset.
    """
    fr = face_frame(neutral_head)
    pose = np.asarray(face.head_pose, np.float64)
    head = to_head_space(face.landmarks, pose, face.focal, face.principal).astype(np.float64)
    expr = edits.get("expression")
    if isinstance(expr, ExpressionParams):
        head = apply_expression(head, expr, neutral_head).astype(np.float64)
    hp = edits.get("head_pose")
    new_pose = apply_head_pose(pose, hp, fr) if isinstance(hp, HeadPoseParams) else pose
    eyes = eye_geometry(head, fr, new_pose, face.focal, face.principal)
    iris_centres = head[[R.LEFT_IRIS[0], R.RIGHT_IRIS[0]]]
    follow = from_head_space(iris_centres, new_pose, face.focal, face.principal)[:, :2]
    tracked = from_head_space(iris_centres, pose, face.focal, face.principal)[:, :2]
    iris = np.asarray(face.iris, np.float64) + follow - tracked
    gz = edits.get("gaze")
    if isinstance(gz, GazeParams):
        iris = apply_gaze(iris, eyes, gz)
        head = _gaze_mesh(head, eyes, gz)
    landmarks = from_head_space(head, new_pose, face.focal, face.principal)
    return replace(
        face, landmarks=landmarks, head_pose=new_pose.astype(np.float32), iris=iris.astype(np.float32)
    )
