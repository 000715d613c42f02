"""Tracking overlays drawn onto frames: face mesh, iris, body skeleton (demo video, previews).

Convention: frames are uint8 RGB (H, W, 3); landmarks (478, 3) and joints (33, 4) in pixels.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

FACE_COLOR = (80, 220, 255)
IRIS_COLOR = (255, 60, 200)
BONE_COLOR = (60, 255, 120)
JOINT_COLOR = (255, 200, 40)


@lru_cache(maxsize=1)
def face_edges() -> np.ndarray:
    from mediapipe.python.solutions.face_mesh_connections import FACEMESH_TESSELATION

    return np.array(sorted(FACEMESH_TESSELATION), np.int32)


@lru_cache(maxsize=1)
def pose_edges() -> np.ndarray:
    from mediapipe.python.solutions.pose_connections import POSE_CONNECTIONS

    return np.array(sorted(POSE_CONNECTIONS), np.int32)


def _segments(points: np.ndarray, edges: np.ndarray) -> list[np.ndarray]:
    pts = np.round(points[:, :2] * 4).astype(np.int32)  # 2 bits of sub-pixel precision
    return list(np.stack([pts[edges[:, 0]], pts[edges[:, 1]]], axis=1))


def draw_face(frame: np.ndarray, landmarks: np.ndarray, iris: np.ndarray | None = None) -> np.ndarray:
    """Face mesh edges (thin) and iris centres (discs) over a copy of `frame`."""
    out = frame.copy()
    cv2.polylines(out, _segments(landmarks, face_edges()), False, FACE_COLOR, 1, cv2.LINE_AA, shift=2)
    if iris is not None:
        r = max(2, int(0.01 * max(frame.shape[:2])))
        for x, y in iris:
            cv2.circle(out, (int(round(x)), int(round(y))), r, IRIS_COLOR, -1, cv2.LINE_AA)
    return out


def draw_skeleton(frame: np.ndarray, joints: np.ndarray, min_visibility: float = 0.5) -> np.ndarray:
    """Body bones between visible joints and joint discs over a copy of `frame`."""
    out = frame.copy()
    edges = pose_edges()
    vis = joints[:, 3] >= min_visibility
    keep = edges[vis[edges[:, 0]] & vis[edges[:, 1]]]
    thick = max(2, int(0.006 * max(frame.shape[:2])))
    cv2.polylines(out, _segments(joints, keep), False, BONE_COLOR, thick, cv2.LINE_AA, shift=2)
    for x, y in joints[vis, :2]:
        cv2.circle(out, (int(round(x)), int(round(y))), thick + 1, JOINT_COLOR, -1, cv2.LINE_AA)
    return out
