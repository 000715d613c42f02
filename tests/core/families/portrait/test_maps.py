import numpy as np
import pytest

from render_core.families.portrait.crop import CropParams, CropTransform, raw_params
from render_core.families.portrait.maps import FaceMapRenderer, correspondence_colors
from render_core.families.portrait.window import ConditioningWindow
from render_core.geometry.canonical_face import IRIS_LEFT, IRIS_RIGHT, canonical_face

S = 96


@pytest.fixture
def frontal():
    pts = canonical_face().astype(np.float64)
    lm = pts * (S * 0.55 / np.ptp(pts[:, 0])) + np.array([S / 2, S / 2, 0.0])
    return lm.astype(np.float32), FaceMapRenderer(S, correspondence_colors(pts))


def test_frontal_canonical_face_renders_mirror_symmetric_maps(frontal):
    lm, r = frontal
    m = r.render(lm, lm[[IRIS_LEFT, IRIS_RIGHT], :2])
    flip = m[:, ::-1]
    assert m[..., :3].max() > 0.5  # the face is drawn
    assert np.abs(flip[..., :3] - m[..., :3]).mean() < 0.01  # shaded, frontal light
    on = m[..., 3:6].sum(-1) > 0
    assert np.abs((1 - flip[..., 3] - m[..., 3])[on & flip[..., 3:6].sum(-1).astype(bool)]).mean() < 0.03
    assert np.abs(flip[..., 4:6] - m[..., 4:6]).mean() < 0.01  # y and depth colours symmetric
    assert np.abs(flip[..., 6:] - m[..., 6:]).mean() < 0.01  # gaze


def test_edited_iris_moves_the_disc(frontal):
    lm, r = frontal
    iris = lm[[IRIS_LEFT, IRIS_RIGHT], :2].copy()
    blue = lambda g: (g[..., 2] > 0.8) & (g[..., 0] < 0.3)  # noqa: E731
    g0 = r.render(lm, iris)[..., 6:]
    moved = iris + np.array([2.0, 0.0])
    g1 = r.render(lm, moved)[..., 6:]
    x0, x1 = np.nonzero(blue(g0))[1].mean(), np.nonzero(blue(g1))[1].mean()
    assert 1.0 < x1 - x0 < 3.0
    assert not (blue(g1) & (g0.sum(-1) == 0)).any()  # the disc stays inside the eye openings


def test_crop_transform_round_trip_and_roll():
    lm = canonical_face() * 10 + np.array([200, 150, 0], np.float32)
    p = raw_params(lm)
    assert abs(p.roll) < 1e-3 and abs(p.cx - lm[:, 0].mean()) < 1e-3
    t = CropTransform(CropParams(200, 150, 100, 0.3), 64)
    pts = np.array([[200, 150, 0], [230, 140, 0]], np.float32)
    out = t.points(pts)
    assert np.allclose(out[0, :2], [32, 32], atol=1e-4)
    assert np.isclose(np.linalg.norm(out[1, :2] - out[0, :2]), 0.64 * np.linalg.norm(pts[1, :2] - pts[0, :2]))


def test_window_repeats_first_frame_and_keeps_current_last():
    w = ConditioningWindow(3)
    a, b = np.zeros((4, 4, 9), np.float32), np.ones((4, 4, 9), np.float32)
    x = w.push(a)
    assert x.shape == (27, 4, 4) and x.max() == 0
    x = w.push(b)
    assert x[:18].max() == 0 and x[18:].min() == 1


def test_maps_from_the_covered_pixels_equal_the_dense_raster_shading(frontal):
    """The renderer shades and colours only the covered pixels; a dense raster of the same
    face gives the same maps (a turned face, so occlusion and shading vary)."""
    import torch

    from render_core.families.portrait.maps import draw_gaze, shade

    lm, r = frontal
    yaw = 0.6
    rot = np.array([[np.cos(yaw), 0, np.sin(yaw)], [0, 1, 0], [-np.sin(yaw), 0, np.cos(yaw)]])
    c = np.array([S / 2, S / 2, 0.0])
    turned = ((lm - c) @ rot.T + c).astype(np.float32)
    iris = turned[[IRIS_LEFT, IRIS_RIGHT], :2]
    raster = r.raster(turned)
    mask = raster.mask.numpy()[..., None]
    normals = torch.from_numpy(r.normals_image(turned, raster)).view(-1, 3)
    shaded = shade(normals, r.light).numpy().reshape(S, S, 3) * mask
    corr = raster.interpolate(torch.from_numpy(r.colors), torch.from_numpy(r._tris_np)).numpy()
    gaze = np.zeros((S, S, 3), np.float32)
    draw_gaze(gaze, turned, iris)
    dense = np.concatenate([shaded, corr, gaze], axis=2)
    np.testing.assert_allclose(r.render(turned, iris), dense, atol=1e-4)
