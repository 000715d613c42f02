"""MediaPipe FaceMesh wrapper: 478 landmarks (with iris) of one chosen face per frame.

Convention: output landmarks are pixels of the *full* frame given to `process`, (478, 3):
x right, y down, z MediaPipe's relative depth in x-pixel scale (smaller = nearer the camera).
MediaPipe runs on a copy downscaled so its longer side is at most `detect_size` (its landmark
model sees a 192x192 face crop, so a face that stays larger than that loses nothing) and its
normalized outputs are scaled back to the full frame. Iris centres are landmarks 473
(subject's LEFT eye, image right in an unmirrored frontal view) and 468 (subject's RIGHT).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from render_core.tracking.solution import MediaPipeSolution
from render_core.tracking.tracks import FACE_POINTS

IRIS_LEFT = 473  # subject's left iris centre
IRIS_RIGHT = 468  # subject's right iris centre


@dataclass(frozen=True)
class FaceTrackerConfig:
    """max_faces: faces MediaPipe looks for (at least face_index + 2: ranking faces by size
    needs one more than the chosen rank, else MediaPipe's most confident face counts as the
    largest); face_index: which one to follow (0 = largest, 1 = second largest...) when
    tracking (re)starts; detect_size: longest side (px) of the image MediaPipe sees (0 = full
    size)."""

    max_faces: int = 1
    face_index: int = 0
    detect_size: int = 640
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5


def downscale(frame: np.ndarray, detect_size: int) -> np.ndarray:
    """uint8 RGB (H, W, 3) -> same, longest side <= detect_size (INTER_AREA), C-contiguous."""
    h, w = frame.shape[:2]
    if detect_size <= 0 or max(h, w) <= detect_size:
        return np.ascontiguousarray(frame)
    k = detect_size / max(h, w)
    size = (max(1, round(w * k)), max(1, round(h * k)))
    return cv2.resize(frame, size, interpolation=cv2.INTER_AREA)


def box_of(points: np.ndarray) -> np.ndarray:
    """(N, >=2) px -> (4,) box x0, y0, x1, y1."""
    return np.array([points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()])


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


RANK_SWITCH = 1.5  # area ratio that tells two faces apart by size
MISS_MEMORY = 15  # frames a followed face may go undetected before its box is forgotten


def _area(box: np.ndarray) -> float:
    return float((box[2] - box[0]) * (box[3] - box[1]))


def choose_face(candidates: list[np.ndarray], prev_box: np.ndarray | None, face_index: int) -> int | None:
    """Index into candidates of the followed face: the `face_index`-th largest, kept by overlap
    with the previous box (IoU >= 0.3) from frame to frame so similar sizes do not swap people.
    Faces count as different by size when their areas differ RANK_SWITCH-fold: then the face at
    the asked rank takes over from an overlapping one (the detector may find the right face
    late), and a frame whose only candidate at that rank is clearly smaller than the followed
    face is a miss (None), not the other person. None too when there is no face at that rank."""
    if not candidates:
        return None
    boxes = [box_of(c) for c in candidates]
    areas = [_area(b) for b in boxes]
    order = np.argsort(areas)[::-1]
    ranked = int(order[face_index]) if face_index < len(order) else None
    if prev_box is None:
        return ranked
    ious = [box_iou(b, prev_box) for b in boxes]
    best = int(np.argmax(ious))
    if ious[best] >= 0.3:
        if ranked is None or ranked == best:
            return best
        small, large = sorted((areas[best], areas[ranked]))
        return best if large < RANK_SWITCH * max(small, 1e-9) else ranked
    if ranked is not None and areas[ranked] * RANK_SWITCH < _area(prev_box):
        return None  # the followed face is missing here; the one visible is another, smaller one
    return ranked


class FaceTracker(MediaPipeSolution):
    """Video-mode FaceMesh (refine_landmarks=True) following one face; use as a context manager.

    Frames must be fed in order; `reset()` before jumping elsewhere in a clip.
    """

    def __init__(self, cfg: FaceTrackerConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg or FaceTrackerConfig()
        self._prev_box: np.ndarray | None = None
        self._missed = 0  # frames since the followed face was last found
        self.most_faces = 0  # the most faces seen in one frame: is face_index there at all?

    def _build(self):
        import mediapipe as mp

        c = self.cfg
        return mp.solutions.face_mesh.FaceMesh(
            static_image_mode=False,
            max_num_faces=max(c.max_faces, c.face_index + 2),
            refine_landmarks=True,
            min_detection_confidence=c.min_detection_confidence,
            min_tracking_confidence=c.min_tracking_confidence,
        )

    def reset(self) -> None:
        super().reset()
        self._prev_box, self._missed = None, 0

    def agrees(self, landmarks: np.ndarray) -> bool:
        """Whether landmarks found another way (the body's head crop) are of the face being
        followed: no face followed yet, or their box overlaps its last box (IoU >= 0.3)."""
        return self._prev_box is None or box_iou(box_of(landmarks), self._prev_box) >= 0.3

    def process(self, frame: np.ndarray, full_size: tuple[int, int] | None = None) -> np.ndarray | None:
        """frame: uint8 RGB (H, W, 3) -> (478, 3) float32 px landmarks of the followed face, or None.

        full_size = (w, h) of the original frame when `frame` was already downscaled (e.g. by
        the decoder): landmarks are then in that frame's pixels.
        """
        w, h = full_size if full_size is not None else (frame.shape[1], frame.shape[0])
        res = self._run(downscale(frame, self.cfg.detect_size))
        faces = res.multi_face_landmarks or []
        cands = []
        for f in faces:
            a = np.array([(p.x, p.y, p.z) for p in f.landmark], np.float32)
            if a.shape[0] == FACE_POINTS:
                cands.append(a * np.array([w, h, w], np.float32))
        self.most_faces = max(self.most_faces, len(cands))
        i = choose_face(cands, self._prev_box, self.cfg.face_index)
        if i is None:
            self._missed += 1
            if self._missed > MISS_MEMORY:
                self._prev_box = None
            return None
        self._prev_box, self._missed = box_of(cands[i]), 0
        return cands[i]


def iris_centres(landmarks: np.ndarray) -> np.ndarray:
    """(..., 478, 3) -> (..., 2, 2) px: [subject's left, subject's right] iris centre (x, y)."""
    return np.stack([landmarks[..., IRIS_LEFT, :2], landmarks[..., IRIS_RIGHT, :2]], axis=-2)
