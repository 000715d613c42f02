"""Out-of-range faces (novelty) and the edit-realism measures."""

import cv2
import numpy as np

from render_core.contract import RenderedFrame
from render_core.families.body.novelty import POSE_NOVELTY
from render_core.families.portrait.novelty import (
    FACE_NOVELTY,
    UNSEEN_FACE,
    bank_from_json,
    bank_to_json,
    face_bank,
    face_features,
    nearest_faces,
)
from render_core.families.portrait.realism import face_box, sharpness, sharpness_ratio, sheet_positions
from render_core.geometry.rotations import euler_to_matrix
from render_core.render.frame_notes import FrameNotes


def _faces(n: int, yaw_deg: float = 0.0, jaw: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """n frontal canonical faces 60 cm from the camera (px landmarks, poses), yawed and with the
    lower lip and chin lowered by `jaw` (head units)."""
    from render_core.geometry.canonical_face import canonical_face
    from render_core.geometry.head_space import from_head_space

    head = canonical_face().astype(np.float64)
    lower = head[:, 1] < np.percentile(head[:, 1], 30)  # canonical y points up: the lowest third
    head[lower, 1] -= jaw
    pose = np.eye(4)
    pose[:3, :3] = euler_to_matrix(np.radians(yaw_deg), 0.0, 0.0) @ np.diag([1.0, -1.0, -1.0])
    pose[2, 3] = 60.0
    lm = from_head_space(head, pose, 600.0, (320.0, 240.0))
    return np.repeat(lm[None], n, 0), np.repeat(pose[None], n, 0)


def test_a_training_face_is_in_range_a_turned_head_or_dropped_jaw_is_not():
    lm, pose = _faces(5)
    bank = face_bank(face_features(lm, pose, 600.0, (320.0, 240.0)))
    assert len(bank) == 1  # identical faces thin to one
    bank = bank_from_json(bank_to_json(bank))
    same = nearest_faces(face_features(lm[:1], pose[:1], 600.0, (320.0, 240.0)), bank)
    assert same[0] < 1e-3
    turned = nearest_faces(face_features(*_faces(1, yaw_deg=30.0), 600.0, (320.0, 240.0)), bank)
    assert turned[0] > UNSEEN_FACE
    opened = nearest_faces(face_features(*_faces(1, jaw=2.0), 600.0, (320.0, 240.0)), bank)
    assert opened[0] > 0.01
    nan = nearest_faces(np.full((1, bank.shape[1]), np.nan), bank)
    assert np.isnan(nan[0])


def test_the_render_report_warns_once_about_unseen_faces():
    logs = FrameNotes((POSE_NOVELTY, FACE_NOVELTY))
    blank = np.zeros((2, 2, 3), np.float32), np.zeros((2, 2), np.float32)
    for t, d in enumerate([0.01, UNSEEN_FACE + 0.1, UNSEEN_FACE + 0.2, 0.02]):
        logs.add(t, RenderedFrame(*blank, notes={"face_novelty": d}).notes)
    report = logs.report()
    assert report["unseen_face_frames"] == 2 and report["unseen_face_runs"] == [[1, 2]]
    assert report["face_novelty_max"] == round(UNSEEN_FACE + 0.2, 3)
    assert len(report["warnings"]) == 1 and "portrait model" in report["warnings"][0]
    assert "pose_novelty_max" not in report


def test_blur_lowers_the_sharpness_ratio():
    rng = np.random.default_rng(0)
    img = rng.random((64, 64, 3), dtype=np.float32)
    box = (8, 8, 56, 56)
    blurred = cv2.GaussianBlur(img, (0, 0), 1.5)
    assert sharpness(blurred, box) < 0.5 * sharpness(img, box)
    assert sharpness_ratio([img], [img], [box]) == 1.0
    assert sharpness_ratio([blurred], [img], [box]) < 0.5


def test_face_box_and_sheet_positions():
    from render_core.geometry.canonical_face import canonical_face

    pts = canonical_face().astype(np.float64)
    lm = (pts * (40 / np.ptp(pts[:, 0])) + [32, 32, 0]).astype(np.float32)
    x0, y0, x1, y1 = face_box(lm, 64)
    assert 0 <= x0 < 32 < x1 <= 64 and 0 <= y0 < 32 < y1 <= 64
    assert sheet_positions(np.arange(10, 20)) == [10, 14, 19]
    assert sheet_positions(np.array([5])) == [5]
