"""Body crops: shrinking without aliasing, and where crop images hold the cropped joints."""

import numpy as np
import pytest

from render_core.families.body.data import PersonCrop


def _centroid_edge_px(image: np.ndarray) -> np.ndarray:
    """Intensity centroid (x, y) in edge convention (0 = the image's left/top edge)."""
    w = image.astype(np.float64)
    yy, xx = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    return np.array([(w * xx).sum(), (w * yy).sum()]) / w.sum() + 0.5


@pytest.mark.parametrize("s", [0.2, 0.5])
def test_image_shift_says_where_the_crop_image_holds_a_joint(s):
    frame = np.zeros((400, 300), np.float32)
    frame[200:210, 100:110] = 1.0  # a square whose centre is (105, 205) in edge convention
    crop = PersonCrop(x0=3.0, y0=7.0, s=s, h=int(400 * s), w=int(300 * s))
    joint = np.full((33, 4), 1.0, np.float32)
    joint[:, :2] = (105.0, 205.0)
    expected = crop.joints(joint)[0, :2] + crop.image_shift
    assert _centroid_edge_px(crop.image(frame)) == pytest.approx(expected, abs=0.02)


def test_a_shrinking_crop_averages_fine_texture_instead_of_aliasing_it():
    yy, xx = np.mgrid[0:500, 0:400]
    checker = np.repeat((((xx + yy) % 2) * 255).astype(np.uint8)[..., None], 3, axis=2)
    out = PersonCrop(x0=10.0, y0=10.0, s=0.21, h=96, w=64).image(checker)
    assert out.shape == (96, 64, 3)
    assert np.abs(out.astype(float) - 127.5).max() <= 6
