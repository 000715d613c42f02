"""Crop smoothing: a still crop while the head moves a little, catch-up when it drifts far."""

import numpy as np
import pytest

from render_core.families.portrait.crop import ZOOM_SLACK, CropSmoother, raw_params
from render_core.geometry.canonical_face import canonical_face


def _face(dx: float = 0.0, zoom: float = 1.0) -> np.ndarray:
    """A frontal canonical face 200 * zoom px wide centred at (320 + dx, 240), in frame px."""
    c = np.asarray(canonical_face(), np.float64)
    lm = (c - c.mean(0)) * (200.0 * zoom / np.ptp(c[:, 0]))
    lm[:, 0] += 320 + dx
    lm[:, 1] += 240
    return lm


def test_ema_weight_is_alpha_while_the_face_stays_near_the_centre():
    sm = CropSmoother(alpha=0.02, slack=0.1)
    first = sm.update(_face())
    side = first.side
    p = sm.update(_face(0.05 * side))  # drift 5% of the side: inside the slack
    assert p.cx == pytest.approx(first.cx + 0.02 * 0.05 * side)


def test_crop_catches_up_when_the_face_drifts_past_the_slack():
    sm = CropSmoother(alpha=0.02, slack=0.1)
    side = sm.update(_face()).side
    half = CropSmoother(alpha=0.02, slack=0.1)
    half.update(_face())
    # drift 15% of the side: the weight is alpha + (0.15 - 0.1) / 0.1 = 0.52
    assert half.update(_face(0.15 * side)).cx == pytest.approx(320 + 0.52 * 0.15 * side, abs=0.5)
    # drift 30%: weight 1, the crop jumps onto the face
    assert sm.update(_face(0.3 * side)).cx == pytest.approx(raw_params(_face(0.3 * side)).cx)


def test_a_held_crop_stays_put_while_the_face_size_wobbles_and_rezooms_past_the_dead_zone():
    sm = CropSmoother(alpha=0.0, slack=0.1)
    first = sm.update(_face())
    for zoom in (1.1, 0.9, 1.17, 1.0):  # nodding and turning at a fixed distance
        p = sm.update(_face(zoom=zoom))
        assert (p.cx, p.cy, p.side, p.roll) == (first.cx, first.cy, first.side, first.roll)
    # The face 1.5x larger: ln 1.5 = 0.405, weight (0.405 / 0.25 - 1) = 0.62 toward the new side
    w = np.log(1.5) / ZOOM_SLACK - 1.0
    assert sm.update(_face(zoom=1.5)).side == pytest.approx(first.side * (1 - w + w * 1.5), rel=1e-3)
    # 2x larger than the held crop: past twice the dead zone, the crop takes the face's own size
    sm = CropSmoother(alpha=0.0, slack=0.1)
    sm.update(_face())
    assert sm.update(_face(zoom=2.0)).side == pytest.approx(raw_params(_face(zoom=2.0)).side)


def test_a_held_crop_stays_upright_when_the_head_rolls():
    c, n = np.cos(0.5), np.sin(0.5)
    rolled = (_face() - [320, 240, 0]) @ np.array([[c, n, 0], [-n, c, 0], [0, 0, 1]]) + [320, 240, 0]
    assert abs(raw_params(rolled).roll) == pytest.approx(0.5, abs=0.01)
    held = CropSmoother(alpha=0.0, slack=0.1)
    assert held.update(rolled).roll == 0.0
    assert held.update(_face(0.5 * held.update(_face()).side)).roll == 0.0  # after a catch-up too
    assert abs(CropSmoother(alpha=0.25).update(rolled).roll) == pytest.approx(0.5, abs=0.01)


def test_without_slack_the_crop_only_follows_at_alpha():
    sm = CropSmoother(alpha=0.02)
    side = sm.update(_face()).side
    assert sm.update(_face(0.3 * side)).cx == pytest.approx(320 + 0.02 * 0.3 * side, abs=0.5)


def test_inside_marks_the_crop_pixels_that_come_from_the_frame():
    from render_core.families.portrait.crop import CropParams, CropTransform

    # A 100 px crop centred on the frame's right edge, no roll, 1:1 scale: its right half is
    # past the edge.
    t = CropTransform(CropParams(cx=200.0, cy=100.0, side=100.0, roll=0.0), size=100)
    inside = t.inside((200, 200))
    assert inside.shape == (100, 100)
    assert inside[:, :49].all() and not inside[:, 51:].any()
    assert CropTransform(CropParams(100.0, 100.0, 100.0, 0.0), 100).inside((200, 200)).all()
