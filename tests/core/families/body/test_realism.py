"""Sharpness ratio on the person box: 1 for the frame itself, far lower for a blurred copy."""

from __future__ import annotations

import cv2
import numpy as np

from render_core.families.body.realism import REFERENCE_EDIT, person_box, reference_edit, sharpness_ratio


def test_blur_lowers_the_sharpness_ratio_and_boxes_follow_the_joints():
    rng = np.random.default_rng(0)
    frame = rng.random((120, 80, 3)).astype(np.float32)
    joints = np.zeros((33, 4), np.float32)
    joints[:, 0], joints[:, 1], joints[:, 3] = rng.uniform(20, 60, 33), rng.uniform(20, 100, 33), 1.0
    joints[5, 3] = 0.0  # invisible joints do not widen the box
    joints[5, :2] = (0, 0)
    x0, y0, x1, y1 = person_box(joints, frame.shape[:2])
    assert x0 > 0 and y0 > 0 and x1 < 80 and y1 < 120
    blurred = cv2.GaussianBlur(frame, (0, 0), 2.0)
    same = sharpness_ratio([frame], [frame], joints[None], joints[None])
    assert abs(same - 1.0) < 1e-6
    assert sharpness_ratio([blurred], [frame], joints[None], joints[None]) < 0.5


def test_reference_edit_raises_both_arms():
    joints = np.zeros((1, 33, 4), np.float32)
    joints[0, 11, :2], joints[0, 12, :2] = (60, 40), (40, 40)  # the subject's left shoulder on the right
    joints[0, 13, :2], joints[0, 14, :2] = (62, 80), (38, 80)  # elbows hanging below
    edited = reference_edit(joints)
    assert REFERENCE_EDIT.left_shoulder == REFERENCE_EDIT.right_shoulder == 40.0
    assert edited[0, 13, 0] > 62 and edited[0, 14, 0] < 38  # both elbows swing outward
