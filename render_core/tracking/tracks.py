"""Track data contracts and their .npz I/O.

Convention: pixel coordinates of the (rotation-applied) decoded frame, x right, y down;
landmark z is MediaPipe's relative depth scaled to pixels (same scale as x). Camera matrices
follow OpenCV (x right, y down, z forward). Missing frames have `valid[t] == False` and their
rows are NaN: they are flagged, never silently interpolated.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from render_core.errors import InputError
from render_core.io_atomic import write_bytes_atomic

FACE_POINTS = 478
BODY_JOINTS = 33


@dataclass
class FaceTrack:
    """Per-frame face of one person.

    landmarks: (T, 478, 3) float32 px. valid: (T,) bool. head_pose: (T, 4, 4) float32
    camera-from-head (OpenCV camera). focal: px. expression: (T, K) float32 coefficients
    (landmarks in head space minus the subject's neutral, reduced; see tracking.expression).
    iris: (T, 2, 2) float32 px centres, [left, right] of the *subject*.
    neutral: (478, 3) float32 head-space landmarks of the subject's neutral face.
    raw_landmarks: (T, 478, 3) float32 px as detected, before temporal smoothing, or None
    (tracked without smoothing, or tracks from before they were kept). Neural families condition
    on these: the smoothed ones lag the pixels, and a model trained on them scored lower and
    flickered more (measurements: docs/performance.md).
    """

    landmarks: np.ndarray
    valid: np.ndarray
    head_pose: np.ndarray
    focal: float
    expression: np.ndarray
    iris: np.ndarray
    neutral: np.ndarray = field(default_factory=lambda: np.zeros((FACE_POINTS, 3), np.float32))
    raw_landmarks: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.valid.shape[0])

    @property
    def detected(self) -> np.ndarray:
        """(T, 478, 3) landmarks before smoothing where they were kept, else the smoothed ones."""
        return self.landmarks if self.raw_landmarks is None else self.raw_landmarks


@dataclass
class BodyTrack:
    """Per-frame body of one person.

    joints: (T, 33, 4) float32 (x px, y px, z relative px, visibility in [0, 1]).
    valid: (T,) bool. masks: per-frame person segmentation, PNG-encoded uint8 (0..255) at
    `mask_scale` of the frame size, b"" where missing: compact, decoded on demand.
    """

    joints: np.ndarray
    valid: np.ndarray
    masks: list[bytes] = field(default_factory=list)
    mask_scale: float = 0.5

    def __len__(self) -> int:
        return int(self.valid.shape[0])

    def mask(self, t: int, size: tuple[int, int] | None = None) -> np.ndarray | None:
        """Person mask of frame t as float32 (H, W) in [0, 1], resized to `size` = (w, h)."""
        import cv2

        if t >= len(self.masks) or not self.masks[t]:
            return None
        m = cv2.imdecode(np.frombuffer(self.masks[t], np.uint8), cv2.IMREAD_GRAYSCALE)
        if size is not None and (m.shape[1], m.shape[0]) != tuple(size):
            m = cv2.resize(m, tuple(size), interpolation=cv2.INTER_LINEAR)
        return m.astype(np.float32) / 255.0


@dataclass
class Tracks:
    """Everything the tracker produced for one clip. `meta` holds clip hash, tracker version
    and settings, fps, frame size, timing and the frame ranges with no face / no body."""

    face: FaceTrack | None
    body: BodyTrack | None
    meta: dict = field(default_factory=dict)

    def save(self, path: str | Path) -> None:
        """Write atomically as one .npz (masks as an object-free byte blob + offsets)."""
        arrays: dict[str, np.ndarray] = {"meta": np.frombuffer(json.dumps(self.meta).encode(), np.uint8)}
        if self.face is not None:
            f = self.face
            arrays.update(
                face_landmarks=f.landmarks,
                face_valid=f.valid,
                face_head_pose=f.head_pose,
                face_focal=np.float32(f.focal),
                face_expression=f.expression,
                face_iris=f.iris,
                face_neutral=f.neutral,
            )
            if f.raw_landmarks is not None:
                arrays["face_raw_landmarks"] = f.raw_landmarks
        if self.body is not None:
            b = self.body
            sizes = np.array([len(m) for m in b.masks], np.int64)
            blob = np.frombuffer(b"".join(b.masks), np.uint8) if b.masks else np.zeros(0, np.uint8)
            arrays.update(
                body_joints=b.joints,
                body_valid=b.valid,
                body_mask_sizes=sizes,
                body_mask_blob=blob,
                body_mask_scale=np.float32(b.mask_scale),
            )
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        write_bytes_atomic(path, buf.getvalue())

    @staticmethod
    def load(path: str | Path) -> Tracks:
        try:
            z = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as e:
            raise InputError(path, f"not a readable tracks file ({e.__class__.__name__})") from None
        meta = json.loads(bytes(z["meta"]).decode())
        face = None
        if "face_landmarks" in z:
            face = FaceTrack(
                z["face_landmarks"],
                z["face_valid"],
                z["face_head_pose"],
                float(z["face_focal"]),
                z["face_expression"],
                z["face_iris"],
                z["face_neutral"],
                z.get("face_raw_landmarks"),
            )
        body = None
        if "body_joints" in z:
            sizes = z["body_mask_sizes"]
            blob = z["body_mask_blob"].tobytes()
            offs = np.concatenate([[0], np.cumsum(sizes)])
            masks = [blob[offs[i] : offs[i + 1]] for i in range(len(sizes))]
            body = BodyTrack(z["body_joints"], z["body_valid"], masks, float(z["body_mask_scale"]))
        return Tracks(face, body, meta)
