import numpy as np

from render_core.geometry.canonical_face import IRIS_LEFT, IRIS_RIGHT, canonical_face, mirror_map


def test_shape_units_and_centre():
    p = canonical_face()
    assert p.shape == (478, 3) and p.dtype == np.float32
    np.testing.assert_allclose(p.mean(0), 0.0, atol=1e-4)
    assert np.isclose(np.linalg.norm(p[IRIS_LEFT] - p[IRIS_RIGHT]), 6.3, atol=1e-3)
    assert 11.0 < np.ptp(p[:, 0]) < 17.0 and 15.0 < np.ptp(p[:, 1]) < 23.0  # realistic head size, cm


def test_axes_follow_opencv_frontal():
    p = canonical_face()
    assert p[IRIS_LEFT, 0] > 0 > p[IRIS_RIGHT, 0]  # subject's left is image right (+x)
    assert p[10, 1] < p[1, 1] < p[152, 1]  # forehead above nose above chin (y down)
    assert p[4, 2] < p[234, 2]  # nose tip nearer the camera than the cheek edge (z forward)


def test_exactly_symmetric_with_consistent_mirror_map():
    p, m = canonical_face(), mirror_map()
    np.testing.assert_array_equal(m[m], np.arange(478))
    np.testing.assert_allclose(p[m] * [-1, 1, 1], p, atol=1e-5)
    assert m[33] == 263 and m[61] == 291 and m[IRIS_LEFT] == IRIS_RIGHT and m[1] == 1
