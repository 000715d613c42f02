"""Antialiased affine crops: fine texture averages out, geometry and borders match warpAffine."""

import cv2
import numpy as np
import pytest

from render_core.media.resample import warp_affine_antialiased


def _checker(h: int = 600, w: int = 800) -> np.ndarray:
    """1-px black/white checkerboard: the worst case for a shrinking crop."""
    yy, xx = np.mgrid[0:h, 0:w]
    return (((xx + yy) % 2) * 255).astype(np.uint8)


def _smooth(h: int = 600, w: int = 800) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.dstack([np.sin(xx / 60) * 100 + 128, np.cos(yy / 45) * 100 + 128, (xx + yy) / 6]).astype(
        np.float32
    )


def _similarity(scale: float, roll: float, tx: float, ty: float) -> np.ndarray:
    c, s = np.cos(roll), np.sin(roll)
    return np.array([[scale * c, scale * s, tx], [-scale * s, scale * c, ty]])


@pytest.mark.parametrize("roll", [0.0, 0.3])
def test_a_5x_shrink_of_a_checkerboard_is_flat_grey(roll):
    m = _similarity(0.2, roll, 10.0, 20.0)
    plain = cv2.warpAffine(_checker(), m, (64, 64), flags=cv2.INTER_LINEAR)
    assert np.ptp(plain) > 150  # what warpAffine gives: aliased black and white
    out = warp_affine_antialiased(_checker(), m, (64, 64))
    assert out.dtype == np.uint8 and out.shape == (64, 64)
    assert np.abs(out.astype(float) - 127.5).max() <= 6


@pytest.mark.parametrize("scale,roll", [(0.2, 0.0), (0.45, 0.3), (0.9, -0.2)])
def test_smooth_content_lands_where_warp_affine_puts_it(scale, roll):
    # The frame centre (400, 300) at the crop centre: the crop stays inside the frame.
    c, s = np.cos(roll), np.sin(roll)
    rot = scale * np.array([[c, s], [-s, c]])
    m = _similarity(scale, roll, *(np.array([48.0, 40.0]) - rot @ [400.0, 300.0]))
    out = warp_affine_antialiased(_smooth(), m, (96, 80))
    ref = cv2.warpAffine(_smooth(), m, (96, 80), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    assert out.shape == ref.shape and out.dtype == np.float32
    # a half-pixel slip would cost ~3 grey levels on average here
    assert np.abs(out - ref).mean() < 0.1 and np.abs(out - ref).max() < 1.5


def test_past_the_frame_edge_the_border_is_replicated():
    # Shrink 4x with the crop starting 20 output px left of and above the frame.
    m = _similarity(0.25, 0.0, 20.0, 20.0)
    out = warp_affine_antialiased(np.full((400, 400, 3), 77, np.uint8), m, (60, 60))
    assert (out == 77).all()
    zero = warp_affine_antialiased(np.full((400, 400), 1.0, np.float32), m, (60, 60), cv2.BORDER_CONSTANT)
    assert zero[:19, :].max() == 0 and zero[25:, 25:].min() == pytest.approx(1.0)


def test_enlarging_crops_are_plain_bilinear():
    m = _similarity(2.0, 0.1, -30.0, -10.0)
    img = _smooth(100, 120)
    assert np.array_equal(
        warp_affine_antialiased(img, m, (50, 40)),
        cv2.warpAffine(img, m, (50, 40), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE),
    )


def test_a_crop_wholly_outside_the_frame_gives_the_border():
    m = _similarity(0.2, 0.0, 500.0, 500.0)
    out = warp_affine_antialiased(np.full((100, 100), 9, np.uint8), m, (16, 16), cv2.BORDER_CONSTANT, 3)
    assert (out == 3).all()
