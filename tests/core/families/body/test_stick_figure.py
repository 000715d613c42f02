"""Known-value tests of the pose stick figure renderer."""

from __future__ import annotations

import numpy as np
import pytest

from render_core.families.body.stick_figure import LIMBS, StickFigureConfig, body_scale, render_stick_figure


def _standing(scale: float = 1.0, cx: float = 100.0, top: float = 20.0) -> np.ndarray:
    """A frontal figure: shoulders at y=top+40s, hips at top+100s, knees/ankles straight below."""
    j = np.full((33, 4), np.nan, np.float32)
    pts = {
        0: (cx, top + 10 * scale),
        7: (cx + 10 * scale, top + 8 * scale),
        8: (cx - 10 * scale, top + 8 * scale),
        11: (cx + 20 * scale, top + 40 * scale),
        12: (cx - 20 * scale, top + 40 * scale),
        23: (cx + 12 * scale, top + 100 * scale),
        24: (cx - 12 * scale, top + 100 * scale),
        25: (cx + 12 * scale, top + 140 * scale),
        26: (cx - 12 * scale, top + 140 * scale),
        27: (cx + 12 * scale, top + 180 * scale),
        28: (cx - 12 * scale, top + 180 * scale),
    }
    for k, (x, y) in pts.items():
        j[k] = (x, y, 0.0, 1.0)
    return j


def _colour(a: int, b: int) -> np.ndarray:
    return np.array(next(c for i, k, c in LIMBS if (i, k) == (a, b)), np.float32) / 255.0


def test_vertical_limb_has_its_colour_along_segment_and_black_far_away():
    j = _standing()
    img = render_stick_figure(j, (240, 200), StickFigureConfig(hands=False))
    assert img.shape == (240, 200, 3) and img.dtype == np.float32
    shin = _colour(25, 27)  # left shin: x = 112, y 160..200
    for y in (165, 180, 195):
        np.testing.assert_allclose(img[y, 112], shin, atol=0.03)  # cv2 anti-aliased fill rounding
    assert img[5:15, 5:40].max() == 0.0  # far away: black
    assert img[180, 150:].max() == 0.0


def test_thickness_scales_with_body_size():
    widths = []
    for s in (1.0, 2.0):
        j = _standing(scale=s, cx=100.0, top=10)
        assert abs(body_scale(j) - 60 * s) < 1e-3  # mid-shoulder to mid-hip
        img = render_stick_figure(j, (400, 200), StickFigureConfig(hands=False))
        y = int(10 + 160 * s)  # mid-shin row; the left shin is at x = 100 + 12 s
        widths.append(float(img[y, 100:160].max(1).sum()))  # anti-aliased width in px
    assert widths[0] > 0 and widths[1] / widths[0] == pytest.approx(2.0, rel=0.15)


def test_invisible_joint_is_omitted_with_its_limbs():
    j = _standing()
    full = render_stick_figure(j, (240, 200))
    j[27, 3] = 0.1  # left ankle not visible
    part = render_stick_figure(j, (240, 200))
    assert full[190, 112].max() > 0.5 and part[190, 112].max() == 0.0
    np.testing.assert_allclose(part[165, 88], full[165, 88])  # the right shin is unchanged


def test_face_points_drawn_white():
    j = _standing()
    img = render_stick_figure(j, (240, 200), face_points=np.array([[30.0, 200.0]]))
    np.testing.assert_allclose(img[200, 30], [1.0, 1.0, 1.0], atol=1e-6)
