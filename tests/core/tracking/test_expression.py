import numpy as np

from render_core.geometry.canonical_face import canonical_face
from render_core.tracking.expression import (
    EXPRESSION_NAMES,
    K,
    expression_coefficients,
    measurements,
    neutral_index,
)


def test_neutral_is_the_frame_nearest_the_median():
    base = canonical_face()
    shapes = np.stack([base + d for d in (0.0, 0.05, 0.3, -0.02, 2.0)]).astype(np.float32)
    valid = np.array([1, 1, 1, 1, 0], bool)
    assert neutral_index(shapes, np.ones(5, bool)) == 1  # median offset 0.05
    assert neutral_index(shapes, valid) != 4
    assert neutral_index(shapes, np.zeros(5, bool)) is None


def test_mouth_opening_and_smile_are_measured():
    neutral = canonical_face().copy()
    open_mouth = neutral.copy()
    open_mouth[14, 1] += 1.0  # lower inner lip down 1 cm
    smile = neutral.copy()
    smile[291, 1] -= 0.4  # subject-left corner up
    hs = np.stack([neutral, open_mouth, smile, neutral])
    coef = expression_coefficients(hs, np.array([1, 1, 1, 0], bool), neutral)
    assert coef.shape == (4, K) and len(EXPRESSION_NAMES) == K
    np.testing.assert_allclose(coef[0], 0.0, atol=1e-6)
    assert coef[1, EXPRESSION_NAMES.index("mouth_open")] > 0.9
    assert coef[2, EXPRESSION_NAMES.index("lip_corner_left")] > 0.35
    assert abs(coef[2, EXPRESSION_NAMES.index("lip_corner_right")]) < 1e-6
    assert np.isnan(coef[3]).all()


def test_measurements_are_symmetric_on_canonical():
    m = measurements(canonical_face())
    n = EXPRESSION_NAMES
    assert np.isclose(m[n.index("eye_open_left")], m[n.index("eye_open_right")], atol=1e-5)
    assert np.isclose(m[n.index("brow_left")], m[n.index("brow_right")], atol=1e-5)
