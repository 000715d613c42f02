"""MediaPipe Pose wrapper: 33 joints and a person segmentation mask per frame.

Convention: joints (33, 4) float32 = (x px, y px, z relative depth in x-pixel scale,
visibility in [0, 1]) in the *full* frame given to `process`; MediaPipe runs on a copy whose
longest side is at most `detect_size` (its landmark model sees a 256x256 person crop) and the
normalized outputs are scaled back. Masks are uint8 (0..255) PNG bytes at `mask_scale` of the
full frame size (compact; decode with `BodyTrack.mask`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from render_core.tracking.face import downscale
from render_core.tracking.solution import MediaPipeSolution
from render_core.tracking.tracks import BODY_JOINTS


@dataclass(frozen=True)
class BodyTrackerConfig:
    """model_complexity is fixed at 1: the only Pose model mediapipe 0.10.21's wheel ships."""

    detect_size: int = 640
    segmentation: bool = True
    mask_scale: float = 0.5
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5


def encode_mask(mask: np.ndarray, size: tuple[int, int]) -> bytes:
    """float mask (h, w) in [0, 1] -> PNG bytes of a uint8 mask resized to size = (w, h)."""
    m = cv2.resize(mask, size, interpolation=cv2.INTER_LINEAR)
    m8 = np.clip(m * 255.0 + 0.5, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".png", m8, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise RuntimeError("PNG encoding of a segmentation mask failed")
    return buf.tobytes()


class BodyTracker(MediaPipeSolution):
    """Video-mode Pose (model_complexity=1, segmentation on); use as a context manager.

    Frames must be fed in order; `reset()` before jumping elsewhere in a clip.
    """

    def __init__(self, cfg: BodyTrackerConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg or BodyTrackerConfig()

    def _build(self):
        import mediapipe as mp

        c = self.cfg
        return mp.solutions.pose.Pose(
            static_image_mode=False,
            model_complexity=1,
            smooth_landmarks=True,
            enable_segmentation=c.segmentation,
            smooth_segmentation=c.segmentation,
            min_detection_confidence=c.min_detection_confidence,
            min_tracking_confidence=c.min_tracking_confidence,
        )

    def process(
        self, frame: np.ndarray, full_size: tuple[int, int] | None = None
    ) -> tuple[np.ndarray | None, bytes]:
        """frame: uint8 RGB (H, W, 3) -> (joints (33, 4) float32 or None, PNG mask bytes or b"").

        full_size = (w, h) of the original frame when `frame` was already downscaled: joints
        and the mask size then refer to that frame.
        """
        w, h = full_size if full_size is not None else (frame.shape[1], frame.shape[0])
        res = self._run(downscale(frame, self.cfg.detect_size))
        if res.pose_landmarks is None:
            return None, b""
        lms = res.pose_landmarks.landmark
        j = np.array([(p.x, p.y, p.z, p.visibility) for p in lms], np.float32)
        if j.shape[0] != BODY_JOINTS:
            return None, b""
        j *= np.array([w, h, w, 1.0], np.float32)
        mask = b""
        if self.cfg.segmentation and res.segmentation_mask is not None:
            size = (max(1, round(w * self.cfg.mask_scale)), max(1, round(h * self.cfg.mask_scale)))
            mask = encode_mask(res.segmentation_mask, size)
        return j, mask
