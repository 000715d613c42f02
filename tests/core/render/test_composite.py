"""Soft masks, colour matching and compositing."""

from __future__ import annotations

import numpy as np

from render_core.render.composite import color_match, composite, face_hull_mask, feather
from tests.core.render.real_frames import tracked_face


def _square_mask(h: int = 80, w: int = 80) -> np.ndarray:
    m = np.zeros((h, w), np.float32)
    m[20:60, 20:60] = 1.0
    return m


def test_feather_softens_edge_only():
    m = feather(_square_mask(), 6.0)
    assert m[40, 40] > 0.99 and m[0, 0] < 1e-3
    assert 0.3 < m[40, 20] < 0.7  # the edge is half-way
    assert np.array_equal(feather(_square_mask(), 0.0), _square_mask())


def test_color_match_undoes_gain_and_offset():
    rng = np.random.default_rng(0)
    ref = rng.uniform(0.2, 0.8, (80, 80, 3)).astype(np.float32)
    src = ref * 0.7 + 0.15
    out = color_match(src, ref, _square_mask())
    assert np.abs(out - ref).max() < 0.02
    assert np.abs(src - ref).max() > 0.05


def test_composite_blends_by_mask():
    a = np.zeros((80, 80, 3), np.float32)
    b = np.ones((80, 80, 3), np.float32)
    out = composite(a, b, _square_mask(), 4.0)
    assert out[40, 40].min() > 0.99 and out[2, 2].max() < 1e-6
    assert np.array_equal(composite(a, b, np.zeros((80, 80), np.float32), 4.0), a)


def test_face_hull_mask_covers_face(talking_head):
    frame, lm = tracked_face(talking_head)
    m = face_hull_mask(lm, frame.shape[:2], dilate=0.0)
    m_big = face_hull_mask(lm, frame.shape[:2], dilate=0.2)
    nose = lm[1, :2].astype(int)
    assert m[nose[1], nose[0]] == 1.0 and m[0, 0] == 0.0
    assert 1.3 < m_big.sum() / m.sum() < 1.6  # area grows ~ (1 + 0.2)^2


def test_color_match_keeps_contrast_against_a_flat_ring():
    """A blown-out or uniform backdrop has no spread: matching it must not flatten the subject."""
    rng = np.random.default_rng(1)
    src = rng.uniform(0.3, 0.7, (64, 64, 3)).astype(np.float32)
    ref = np.full_like(src, 0.6)
    mask = np.zeros((64, 64), np.float32)
    mask[16:48, 16:48] = 1.0
    out = color_match(src, ref, mask)
    inner = (slice(20, 44), slice(20, 44))
    np.testing.assert_allclose(np.std(out[inner]), np.std(src[inner]), rtol=1e-3)  # gain 1
    assert abs(float(np.mean(out[inner])) - (0.6 + float(np.mean(src[inner])) - 0.5)) < 0.02  # mean shifted
