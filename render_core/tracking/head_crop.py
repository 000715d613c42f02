"""Faces too small for FaceMesh's full-frame detector (full-body shots): FaceMesh on an
upscaled crop around the pose's head joints.

Convention: joints (33, 4) and returned landmarks (478, 3) are in pixels of the *full* frame
(x right, y down; z in x-pixel scale); `frame` may be a downscaled copy of it. The crop is a
square of `CROP_SCALE` x the head joints' extent, resampled to `CROP_PX` (FaceMesh's landmark
model sees a 192 px face, so a 30 px face gains a lot). On full-body clips, where full-frame
FaceMesh finds no face, the head crops find it in every frame (docs/performance.md).
"""

from __future__ import annotations

import cv2
import numpy as np

from render_core.tracking.solution import MediaPipeSolution
from render_core.tracking.tracks import FACE_POINTS

HEAD_JOINTS = slice(0, 11)  # MediaPipe pose: nose, eyes, ears, mouth corners
CROP_PX = 256
CROP_SCALE = 2.5
MIN_VISIBILITY = 0.5
MAX_DISAGREEMENT = 0.16  # of the crop side: mesh vs pose nose/eyes, else the face is rejected
# (mesh index or index pair, pose joint): nose tip, subject's left eye, subject's right eye
AGREEMENT_POINTS = (((1,), 0), ((263, 362), 2), ((33, 133), 5))


def head_box(joints: np.ndarray, min_side: float = 8.0) -> tuple[np.ndarray, float] | None:
    """(centre (2,), side) in px of a square around the visible head joints, or None."""
    head = joints[HEAD_JOINTS]
    ok = np.isfinite(head[:, :2]).all(axis=1) & (head[:, 3] >= MIN_VISIBILITY)
    if ok.sum() < 3:
        return None
    pts = head[ok, :2]
    return pts.mean(axis=0), float(max(np.ptp(pts[:, 0]), np.ptp(pts[:, 1])) * CROP_SCALE + min_side)


class HeadCropFaceMesh(MediaPipeSolution):
    """Video-mode FaceMesh over per-frame head crops (the crop follows the head, so the face
    stays put in crop coordinates and MediaPipe's own tracking still helps)."""

    def _build(self):
        import mediapipe as mp

        return mp.solutions.face_mesh.FaceMesh(
            static_image_mode=False, max_num_faces=1, refine_landmarks=True
        )

    def process(self, frame: np.ndarray, joints: np.ndarray, full_size: tuple[int, int]) -> np.ndarray | None:
        """frame: uint8 RGB (h, w, 3), possibly downscaled from full_size = (W, H); joints in full px."""
        box = head_box(joints)
        if box is None:
            return None
        (cx, cy), side = box
        k = frame.shape[1] / full_size[0]  # full px -> frame px
        a = CROP_PX / (side * k)  # frame px -> crop px
        M = np.array([[a, 0, -a * (cx * k - side * k / 2)], [0, a, -a * (cy * k - side * k / 2)]], np.float32)
        crop = cv2.warpAffine(
            frame, M, (CROP_PX, CROP_PX), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
        )
        res = self._run(crop)
        if not res.multi_face_landmarks:
            return None
        lm = np.array([(p.x, p.y, p.z) for p in res.multi_face_landmarks[0].landmark], np.float32)
        if lm.shape[0] != FACE_POINTS:
            return None
        crop_px = lm * CROP_PX  # z is normalized by image width like x
        out = np.empty_like(crop_px)
        out[:, 0] = cx - side / 2 + crop_px[:, 0] / (a * k)
        out[:, 1] = cy - side / 2 + crop_px[:, 1] / (a * k)
        out[:, 2] = crop_px[:, 2] / (a * k)
        return out if agrees_with_pose(out, joints, side) else None


def agrees_with_pose(landmarks: np.ndarray, joints: np.ndarray, side: float) -> bool:
    """A crop face counts only where its nose and eyes sit on the pose's own: rejects faces
    hallucinated in a crop around a falsely detected 'person' (e.g. on a test pattern)."""
    for mesh_idx, joint in AGREEMENT_POINTS:
        p = landmarks[list(mesh_idx), :2].mean(axis=0)
        if (
            not np.isfinite(joints[joint, :2]).all()
            or np.linalg.norm(p - joints[joint, :2]) > MAX_DISAGREEMENT * side
        ):
            return False
    return True
