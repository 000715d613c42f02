"""A tracked-like face for the edit tests: the project's canonical face (built from real
MediaPipe tracking) seen frontally by a 640x480 camera, or a real frame tracked here."""

from __future__ import annotations

import numpy as np
import pytest

from render_core.geometry.head_space import from_head_space
from render_core.states import FaceState


@pytest.fixture(scope="session")
def neutral_head() -> np.ndarray:
    from render_core.geometry.canonical_face import canonical_face

    return np.array(canonical_face(), np.float64)


@pytest.fixture(scope="session")
def face_state(neutral_head) -> FaceState:
    pose = np.eye(4)
    pose[:3, 3] = [1.0, -2.0, 60.0]
    focal, pp = 600.0, (320.0, 240.0)
    lm = from_head_space(neutral_head, pose, focal, pp)
    return FaceState(lm, pose.astype(np.float32), lm[[473, 468], :2].copy(), focal, pp)


@pytest.fixture
def tracked_frame_landmarks(small_talking_head) -> np.ndarray:
    """(478, 3) px MediaPipe landmarks of the first frame of a real talking head."""
    import av
    import mediapipe as mp

    with av.open(str(small_talking_head)) as c:
        frame = next(c.decode(video=0)).to_ndarray(format="rgb24")
    h, w = frame.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, refine_landmarks=True, max_num_faces=1
    ) as fm:
        res = fm.process(frame)
    if not res.multi_face_landmarks:
        pytest.skip("no face found in the fixture frame")
    return np.array([[p.x * w, p.y * h, p.z * w] for p in res.multi_face_landmarks[0].landmark], np.float64)
