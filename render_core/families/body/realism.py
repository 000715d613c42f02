"""Does an edited body look like the clip? Sharpness on the person box and the reference edit.

Held-out PSNR rewards a blurred average; an edited frame that lost the dress's pattern or the
face reads fine there and looks wrong. The sharpness ratio compares the mean absolute Laplacian
of the output's person box with the real frame's (1.0: as sharp as the clip); it is scored on
held-out frames and on the reference edit (both shoulders +40 degrees), a pose outside most clips.

Convention: images (H, W, 3) float32 RGB [0, 1]; joints (33, 4) px of the same image.
"""

from __future__ import annotations

import cv2
import numpy as np

from render_core.edits.body_ops import apply_body_pose
from render_core.edits.params import BodyPoseParams

REFERENCE_EDIT = BodyPoseParams(left_shoulder=40.0, right_shoulder=40.0)


def person_box(joints: np.ndarray, hw: tuple[int, int], pad: float = 0.08) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) around the visible joints, padded by `pad` x the box height, in the image."""
    h, w = hw
    ok = np.isfinite(joints[:, :2]).all(1) & (np.nan_to_num(joints[:, 3]) >= 0.5)
    if ok.sum() < 2:
        return 0, 0, w, h
    lo, hi = joints[ok, :2].min(0), joints[ok, :2].max(0)
    m = pad * float(hi[1] - lo[1])
    x0, y0 = np.floor(lo - m).astype(int)
    x1, y1 = np.ceil(hi + m).astype(int)
    return max(0, int(x0)), max(0, int(y0)), min(w, int(x1) + 1), min(h, int(y1) + 1)


def laplacian_energy(image: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Mean absolute Laplacian of the grey image inside `box`."""
    x0, y0, x1, y1 = box
    grey = cv2.cvtColor(np.ascontiguousarray(image[y0:y1, x0:x1], np.float32), cv2.COLOR_RGB2GRAY)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F, ksize=1)).mean()) if grey.size else 0.0


def union_box(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def sharpness_ratio(
    outputs: list[np.ndarray], reals: list[np.ndarray], out_joints: np.ndarray, real_joints: np.ndarray
) -> float:
    """Mean over frames of the output's Laplacian energy / the real frame's, both over one box:
    the union of the person boxes of the output's joints and the real frame's (N, 33, 4), so an
    edit that spreads the arms is not scored on more background than its source."""
    ratios = []
    for out, real, jo, jr in zip(outputs, reals, out_joints, real_joints, strict=True):
        box = union_box(person_box(jo, out.shape[:2]), person_box(jr, real.shape[:2]))
        ref = laplacian_energy(real, box)
        if ref > 1e-6:
            ratios.append(laplacian_energy(out, box) / ref)
    return float(np.mean(ratios)) if ratios else float("nan")


def reference_edit(joints: np.ndarray) -> np.ndarray:
    """(N, 33, 4) joints with `REFERENCE_EDIT` applied to each frame."""
    return np.stack([apply_body_pose(j, REFERENCE_EDIT) for j in joints])
