import numpy as np
import pytest

from render_core.errors import InputError
from render_core.metrics.flow import (
    DISFlow,
    consistency_mask,
    inside_mask,
    motion_boundaries,
    to_gray_u8,
    warp,
)
from tests.core.metrics.sequences import shifted_sequence


@pytest.mark.parametrize("preset", ["fast", "medium"])
def test_dis_recovers_constant_translation(texture, preset):
    seq = shifted_sequence(texture, 2, step=3)
    flow = DISFlow(preset)(seq[1], seq[0])  # frame 1 -> frame 0: (+3, 0)
    err = np.linalg.norm(flow[16:-16, 16:-16] - [3.0, 0.0], axis=-1)
    assert np.median(err) < 0.25
    assert (err < 0.5).mean() > 0.9
    np.testing.assert_allclose(flow[16:-16, 16:-16].reshape(-1, 2).mean(0), [3.0, 0.0], atol=0.15)


def test_identical_frames_give_zero_flow(texture):
    flow = DISFlow("fast")(texture, texture)
    assert flow.shape == texture.shape[:2] + (2,) and flow.dtype == np.float32
    assert np.abs(flow).max() < 1e-3


def test_warp_with_integer_flow_is_exact_shift(texture):
    img = texture[:50, :60]
    flow = np.zeros((50, 60, 2), np.float32)
    flow[..., 0], flow[..., 1] = 2.0, -1.0
    out = warp(img, flow)
    np.testing.assert_array_equal(out[1:, :-2], img[:-1, 2:])  # out(y, x) = img(y - 1, x + 2)


def test_inside_mask_marks_pixels_leaving_the_frame():
    flow = np.zeros((10, 12, 2), np.float32)
    flow[..., 0] = 3.0
    m = inside_mask(flow)
    assert m[:, :9].all() and not m[:, 9:].any()


def test_consistency_mask_flags_inconsistent_and_boundary_pixels():
    h, w = 40, 40
    fwd = np.zeros((h, w, 2), np.float32)
    fwd[..., 0] = 2.0
    back = -fwd.copy()
    ok = consistency_mask(fwd, back)
    assert ok[:, :38].all() and not ok[:, 38:].any()  # last 2 columns leave the frame
    back[10:20, 10:20] = 5.0  # the backward flow disagrees here
    bad = ~consistency_mask(fwd, back)
    assert bad[10:20, 8:18].all() and not bad[25:, :30].any()
    step = fwd.copy()
    step[:, 20:, 0] = 6.0  # a motion boundary at x = 19/20
    assert motion_boundaries(step)[:, 19].all() and not motion_boundaries(step)[:, :18].any()
    with_mb = consistency_mask(step, -step, use_motion_boundaries=True)
    assert not with_mb[:, 19].any()


def test_gray_conversion_and_bad_input(texture):
    g = to_gray_u8(texture)
    assert g.dtype == np.uint8 and g.shape == texture.shape[:2]
    with pytest.raises(InputError):
        DISFlow("slow")
    with pytest.raises(InputError):
        DISFlow("fast")(texture, texture[:100])
