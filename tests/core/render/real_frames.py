"""Real frames tracked with MediaPipe directly, for the warp renderer tests (cached per session)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np


def read_frame(path: Path, index: int = 0) -> np.ndarray:
    """(H, W, 3) float32 RGB [0, 1] frame `index` of a clip."""
    cap = cv2.VideoCapture(str(path))
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, bgr = cap.read()
    finally:
        cap.release()
    assert ok, f"cannot read frame {index} of {path}"
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0


@lru_cache(maxsize=4)
def tracked_face(path: Path, index: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(frame, landmarks (478, 3) px) from MediaPipe FaceMesh(refine_landmarks=True)."""
    from mediapipe.python.solutions.face_mesh import FaceMesh

    frame = read_frame(path, index)
    h, w = frame.shape[:2]
    with FaceMesh(static_image_mode=True, refine_landmarks=True, max_num_faces=1) as fm:
        res = fm.process((frame * 255).astype(np.uint8))
    assert res.multi_face_landmarks, f"no face in {path}"
    lm = np.array([[p.x * w, p.y * h, p.z * w] for p in res.multi_face_landmarks[0].landmark], np.float32)
    return frame, lm


@lru_cache(maxsize=4)
def tracked_body(path: Path, index: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frame, joints (33, 4) px + visibility, person mask (H, W) float32) from MediaPipe Pose."""
    from mediapipe.python.solutions.pose import Pose

    frame = read_frame(path, index)
    h, w = frame.shape[:2]
    with Pose(static_image_mode=True, model_complexity=1, enable_segmentation=True) as pose:
        res = pose.process((frame * 255).astype(np.uint8))
    assert res.pose_landmarks, f"no body in {path}"
    joints = np.array(
        [[p.x * w, p.y * h, p.z * w, p.visibility] for p in res.pose_landmarks.landmark], np.float32
    )
    return frame, joints, res.segmentation_mask.astype(np.float32)
