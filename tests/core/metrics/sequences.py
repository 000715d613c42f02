"""Test inputs for the metrics: a real texture (decoded talking-head frame) and moving views of it."""

from __future__ import annotations

import cv2
import numpy as np

from tests.conftest import FOOTAGE, carphone_path

SIZE = 320


def _first_frame(path) -> np.ndarray | None:
    cap = cv2.VideoCapture(str(path))
    ok, bgr = cap.read()
    cap.release()
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB) if ok else None


def _synthetic() -> np.ndarray:
    """Smooth random texture: noise blurred at two scales, stretched to [0, 1]."""
    rng = np.random.default_rng(7)
    noise = rng.random((SIZE, SIZE, 3), dtype=np.float32)
    tex = cv2.GaussianBlur(noise, (0, 0), 1.5) + 0.5 * cv2.GaussianBlur(noise, (0, 0), 6.0)
    return ((tex - tex.min()) / (tex.max() - tex.min())).astype(np.float32)


def real_texture() -> np.ndarray:
    """(320, 320, 3) float32 RGB [0, 1]: the face region of d18, else carphone upscaled, else synthetic."""
    shared = FOOTAGE / "A_liveportrait_d18.mp4"
    if shared.exists() and (frame := _first_frame(shared)) is not None:
        crop = frame[80 : 80 + SIZE, 80 : 80 + SIZE]
        return crop.astype(np.float32) / 255.0
    carphone = carphone_path()
    if carphone is not None and (frame := _first_frame(carphone)) is not None:
        up = cv2.resize(frame, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC)
        return up.astype(np.float32) / 255.0
    return _synthetic()


def shifted_sequence(tex: np.ndarray, n: int, step: int, size: int = 192) -> list[np.ndarray]:
    """Views of `tex` through a window moving right by `step` px per frame (content moves left):
    frame_t(x) = frame_{t-1}(x + step), so the flow from frame t to frame t-1 is (+step, 0)."""
    return [tex[40 : 40 + size, 10 + step * t : 10 + step * t + size] for t in range(n)]
