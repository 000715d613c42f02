"""Skeleton-driven body warp and the streaming clean plate."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from render_core.warp.body import BackgroundModel, warp_body
from tests.conftest import footage_path
from tests.core.render.real_frames import tracked_body

RED = (0.9, 0.1, 0.1)


def _rotate_about(joints: np.ndarray, pivot: int, moved: list[int], angle: float) -> np.ndarray:
    """Rotate joints `moved` about joint `pivot` by `angle` rad (image axes, y down)."""
    out = joints.copy()
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s], [s, c]], np.float32)
    out[moved, :2] = joints[pivot, :2] + (joints[moved, :2] - joints[pivot, :2]) @ rot.T
    return out


def _synthetic_person(h: int = 240, w: int = 320) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A textured background, a grey torso and a red left forearm hanging down.
    Returns (frame, person mask, joints (33, 4), background)."""
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    bg = np.stack(
        [0.3 + 0.2 * np.sin(xx / 9.0), 0.5 + 0.2 * np.cos(yy / 7.0), 0.6 + 0.1 * np.sin((xx + yy) / 11)], -1
    )
    joints = np.zeros((33, 4), np.float32)
    joints[:, 3] = 1.0
    pts = {
        0: (150, 40), 7: (140, 35), 8: (160, 35), 11: (170, 70), 12: (130, 70), 23: (165, 150),
        24: (135, 150), 13: (180, 110), 15: (182, 150), 17: (183, 160), 19: (181, 162), 21: (180, 158),
        14: (120, 110), 16: (118, 150), 18: (117, 160), 20: (119, 162), 25: (163, 190), 27: (163, 230),
        31: (168, 235), 26: (137, 190), 28: (137, 230), 32: (132, 235),
    }  # fmt: skip
    for k, p in pts.items():
        joints[k, :2] = p
    frame = bg.copy()
    person = np.zeros((h, w), np.float32)
    cv2.fillConvexPoly(person, np.array([[128, 62], [172, 62], [168, 200], [132, 200]], np.int32), 1.0)
    for a, b in [(11, 13), (12, 14), (14, 16), (23, 25), (25, 27), (24, 26), (26, 28)]:
        cv2.line(person, tuple(map(int, joints[a, :2])), tuple(map(int, joints[b, :2])), 1.0, 10)
    cv2.circle(person, (150, 40), 14, 1.0, -1)
    frame[person > 0] = 0.45
    forearm = np.zeros((h, w), np.float32)
    cv2.line(forearm, (180, 110), (182, 160), 1.0, 10)
    frame[forearm > 0] = RED
    person = np.maximum(person, forearm)
    return frame.astype(np.float32), person, joints, bg.astype(np.float32)


def test_identity_is_exact():
    frame, person, joints, _ = _synthetic_person()
    out, mask = warp_body(frame, person, joints, joints)
    assert np.abs(out - frame).max() < 1e-6 and mask.max() == 0.0


def test_bad_input_is_rejected_clearly():
    frame, person, joints, _ = _synthetic_person()
    bad = joints.copy()
    bad[15, 0] = np.nan
    with pytest.raises(ValueError, match="dst_joints"):
        warp_body(frame, person, joints, bad)
    with pytest.raises(ValueError, match="person_mask"):
        warp_body(frame, person[:10], joints, joints)


def test_raising_forearm_moves_wrist_and_keeps_the_rest():
    frame, person, joints, bg = _synthetic_person()
    dst = _rotate_about(joints, 13, [15, 17, 19, 21], -np.pi / 2)  # forearm swings out to horizontal
    out, mask = warp_body(frame, person, joints, dst)
    wx, wy = np.round(dst[15, :2]).astype(int)
    assert np.abs(out[wy - 2 : wy + 3, wx - 5 : wx + 1] - RED).max() < 0.15  # red forearm is there now
    # The old forearm position is no longer red: it shows (inpainted) background.
    sx, sy = np.round(joints[15, :2]).astype(int)
    assert np.abs(out[sy, sx] - RED).max() > 0.3
    # Far from the moved limb (head, other arm, legs, far background) nothing changes.
    far = np.zeros(frame.shape[:2], bool)
    far[:, :125] = True
    far[190:, :] = True
    assert np.abs(out - frame)[far].max() < 1e-3
    assert mask[far].max() < 0.05
    assert mask[wy, wx] > 0.9


def test_vacated_region_uses_clean_plate():
    frame, person, joints, bg = _synthetic_person()
    dst = _rotate_about(joints, 13, [15, 17, 19, 21], -np.pi / 2)
    out, _ = warp_body(frame, person, joints, dst, background=bg)
    sx, sy = np.round(joints[15, :2]).astype(int)
    assert np.abs(out[sy - 3 : sy + 4, sx - 2 : sx + 3] - bg[sy - 3 : sy + 4, sx - 2 : sx + 3]).max() < 0.05


def test_background_model_recovers_plate_behind_moving_person():
    h, w = 64, 96
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    bg = np.stack([xx / w, yy / h, 0.5 + 0 * xx], -1).astype(np.float32)
    model = BackgroundModel(capacity=6, scale=0.5, refresh_every=1)
    assert model.plate((h, w)) is None
    for t in range(10):
        frame, mask = bg.copy(), np.zeros((h, w), np.float32)
        mask[16:48, 8 * t : 8 * t + 20] = 1.0
        frame[mask > 0] = (1.0, 0.0, 1.0)
        model.update(frame, mask)
    assert len(model) == 6  # bounded ring
    plate, valid = model.plate((h, w))
    seen = valid > 0.5
    assert seen[16:48, 72:92].mean() > 0.9  # where the person stands now was seen before
    assert np.abs(plate - bg)[seen].mean() < 0.02
    model.reset()
    assert len(model) == 0


def test_real_body_forearm_raise(record_property):
    path = footage_path("B_musepose_ubcfashion_91BjuE6irxS.mp4")
    frame, joints, person = tracked_body(path)
    side = 15 if joints[15, 0] > joints[13, 0] else 16
    elbow = 13 if side == 15 else 14
    hand = [side, side + 2, side + 4, side + 6]
    angle = -np.deg2rad(100) if side == 15 else np.deg2rad(100)
    dst = _rotate_about(joints, elbow, hand, angle)
    out, mask = warp_body(frame, person, joints, dst)
    sx, sy = np.round(joints[side, :2]).astype(int)
    dx, dy = np.round(dst[side, :2]).astype(int)
    src_colour = frame[sy - 2 : sy + 3, sx - 2 : sx + 3].reshape(-1, 3).mean(axis=0)
    dst_colour = out[dy - 2 : dy + 3, dx - 2 : dx + 3].reshape(-1, 3).mean(axis=0)
    assert np.abs(dst_colour - src_colour).max() < 0.1
    assert np.abs(out[dy, dx] - frame[dy, dx]).max() > 0.1  # it was background before
    # Pixels far from the moved limb (the other half of the body and below the knees) are kept.
    keep = np.zeros(frame.shape[:2], bool)
    keep[int(joints[25, 1]) :, :] = True
    cx = int(joints[elbow, 0]) - (40 if side == 15 else -40)
    if side == 15:
        keep[:, :cx] = True
    else:
        keep[:, cx:] = True
    assert np.abs(out - frame)[keep].max() < 0.02
    runs = []
    big = cv2.copyMakeBorder(frame, 0, 0, 273, 273, cv2.BORDER_REPLICATE)  # 960x540
    big_person = cv2.copyMakeBorder(person, 0, 0, 273, 273, cv2.BORDER_CONSTANT, value=0)
    shift = np.array([273, 0, 0, 0], np.float32)
    for _ in range(3):
        t0 = time.perf_counter()
        warp_body(big, big_person, joints + shift, dst + shift)
        runs.append(time.perf_counter() - t0)
    ms = 1000 * float(np.median(runs))
    record_property("warp_body_ms_960x540", ms)
    print(f"warp_body forearm raise 960x540: {ms:.1f} ms/frame")


def test_a_short_head_bone_whose_direction_flips_keeps_the_face():
    """Seen from the front, the nose-to-ears bone is a few pixels long; a driving pose where it
    points the other way must not squeeze the face into one source point (a skin blob where the
    face was, on dance transfers): the head moves rigidly with the neck."""
    from render_core.warp.body import BodyWarpConfig, extended_joints, skinning_map

    _, _, src, _ = _synthetic_person()
    src[[7, 8], 1] = 42.0  # the ears' midpoint 2 px below the nose
    dst = src.copy()
    dst[:, 0] += 6.0  # the whole person moves right...
    dst[[7, 8], 1] = 38.0  # ...and the short bone flips to point up
    map_x, map_y, _ = skinning_map((240, 320), extended_joints(src), extended_joints(dst), BodyWarpConfig())
    head = (slice(32, 49), slice(148, 165))  # the destination head, about its nose
    spread = float(np.hypot(np.ptp(map_x[head]), np.ptp(map_y[head])))
    assert spread > 0.8 * np.hypot(16, 16), spread  # the head keeps its size
    np.testing.assert_allclose(np.median(map_x[head] - np.arange(148, 165)[None, :]), -6.0, atol=1.0)
