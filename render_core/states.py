"""Per-frame states of what the editor moves: a face, a body, a camera.

Below both `edits` (which change them) and `render` / the families (which draw them), so edit
operations and renderers share one definition.
Convention: pixels of the frame being rendered; OpenCV camera (x right, y down, z forward).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FaceState:
    """One frame's face. landmarks: (478, 3) px; head_pose: (4, 4) camera-from-head;
    iris: (2, 2) px [subject's left, right]; focal px; principal (cx, cy) px; raw_landmarks:
    (478, 3) px of the tracked frame before temporal smoothing, or None; steady_landmarks:
    the same smoothed over neighbouring frames without lag (`tracking.steady`), or None.
    The portrait renderer conditions on the steady ones plus the edit's displacement."""

    landmarks: np.ndarray
    head_pose: np.ndarray
    iris: np.ndarray
    focal: float
    principal: tuple[float, float]
    raw_landmarks: np.ndarray | None = None
    steady_landmarks: np.ndarray | None = None


@dataclass(frozen=True)
class BodyState:
    """One frame's body. joints: (33, 4) (x px, y px, z relative px, visibility)."""

    joints: np.ndarray


@dataclass(frozen=True)
class CameraState:
    """One frame's camera. world_to_camera: (4, 4); intrinsics: (3, 3) px; size: (w, h) px;
    center (3,): the subject's centre a viewpoint edit orbits about; up (3,): the world's up
    (None: 1 unit ahead of the camera, and the camera's own -y)."""

    world_to_camera: np.ndarray
    intrinsics: np.ndarray
    size: tuple[int, int]
    center: np.ndarray | None = None
    up: np.ndarray | None = None
