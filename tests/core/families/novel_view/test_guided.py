import numpy as np
import torch

from render_core.families.novel_view.guided import Guides, compose, depth_map, guided_view, reproject
from render_core.families.novel_view.networks import ViewBlend
from render_core.geometry.cameras import invert_rigid

from .conftest import DIST, FOCAL, RADIUS, SIZE, orbit_c2w, render_sphere


def _k(size: int = SIZE) -> np.ndarray:
    c = (size - 1) / 2
    return np.array([[FOCAL, 0, c], [0, FOCAL, c], [0, 0, 1.0]])


def _sphere_depth(c2w: np.ndarray) -> np.ndarray:
    """(H, W) z-depth of the conftest sphere seen from c2w (the far wall where it misses)."""
    u, v = np.meshgrid(np.arange(SIZE) + 0.0, np.arange(SIZE) + 0.0)
    c = (SIZE - 1) / 2
    rays = np.stack([(u - c) / FOCAL, (v - c) / FOCAL, np.ones_like(u)], -1)
    d = rays @ c2w[:3, :3].T
    o = c2w[:3, 3]
    a, b = (d * d).sum(-1), d @ o
    disc = b**2 - a * (o @ o - RADIUS**2)
    t = (-b - np.sqrt(np.maximum(disc, 0))) / a  # along the z=1 ray: t is the z-depth
    return np.where(disc > 0, t, DIST + 2)


def _image(c2w: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(render_sphere(c2w)[0]).permute(2, 0, 1)


def test_a_view_reprojected_into_itself_is_itself_at_any_depth():
    c2w = orbit_c2w(12)[3]
    w2c = invert_rigid(c2w)
    img = _image(c2w)
    for depth in (2.0, 4.0, 7.5):
        z = torch.full((1, 1, SIZE, SIZE), depth)
        warped, valid = reproject(Guides(img[None], w2c[None], _k()[None]), w2c, _k(), z)
        assert torch.allclose(warped[0], img, atol=1e-5) and valid.min() == 1


def test_a_neighbour_reprojected_through_the_true_depth_draws_the_target():
    """The sphere seen from view 1, moved through view 0's exact depth, is view 0's sphere;
    through a flat plane it is not: the geometry (axes, pixel centres, intrinsics) is right."""
    c2w = orbit_c2w(12)
    w2c = invert_rigid(c2w)
    target, mask = render_sphere(c2w[0])
    guides = Guides(_image(c2w[1])[None], w2c[[1]], _k()[None])
    z = torch.from_numpy(_sphere_depth(c2w[0]).astype(np.float32))[None, None]
    warped, valid = reproject(guides, w2c[0], _k(), z)
    seen = (mask > 0) & (valid[0, 0].numpy() > 0)
    err = np.abs(warped[0].permute(1, 2, 0).numpy() - target).mean(-1)[seen]
    flat, _ = reproject(guides, w2c[0], _k(), torch.full_like(z, DIST))
    err_flat = np.abs(flat[0].permute(1, 2, 0).numpy() - target).mean(-1)[seen]
    assert seen.sum() > 200
    # The rim view 1 cannot see (hidden behind the sphere) stays wrong; the rest is exact.
    assert np.median(err) < 0.01 < np.median(err_flat)
    assert err.mean() < 0.4 * err_flat.mean()


def test_blend_weights_sum_to_one_and_skip_views_that_did_not_see_the_point():
    torch.manual_seed(0)
    blend = ViewBlend(2, 8)
    rendered = torch.rand(1, 3, 16, 16)
    warped = torch.rand(2, 3, 16, 16)
    valid = torch.ones(2, 1, 16, 16)
    valid[1, :, :, :8] = 0
    w = blend(rendered, warped, valid)
    assert w.shape == (1, 3, 16, 16)
    assert torch.allclose(w.sum(1), torch.ones(1, 16, 16), atol=1e-5)
    assert w[0, 2, :, :8].max() < 1e-6 and w[0, 2, :, 8:].min() > 0
    out = compose(w, rendered, warped)
    lo = torch.minimum(rendered[0], warped.min(0).values)
    hi = torch.maximum(rendered[0], warped.max(0).values)
    assert out.shape == (1, 3, 16, 16) and (out[0] >= lo - 1e-5).all() and (out[0] <= hi + 1e-5).all()


def test_guided_view_at_a_finer_size_keeps_the_fine_views_detail():
    """Weights predicted at the model's size apply to views warped at the output's size: the
    output is as sharp as the captured view, not an enlarged model image."""
    c2w = orbit_c2w(12)[2]
    w2c = invert_rigid(c2w)
    coarse = Guides(_image(c2w)[None], w2c[None], _k()[None])
    fine_img = torch.rand(1, 3, 2 * SIZE, 2 * SIZE)  # high-frequency content only at the fine size
    fine_k = np.array([[2 * FOCAL, 0, SIZE - 0.5], [0, 2 * FOCAL, SIZE - 0.5], [0, 0, 1.0]])
    fine = Guides(fine_img, w2c[None], fine_k[None])

    def trust_the_view(rendered, warped, valid):
        return torch.cat([torch.zeros_like(valid[:1, 0]), valid[:, 0]], 0)[None]

    depth = torch.full((1, 1, SIZE // 2, SIZE // 2), 0.5)
    out = guided_view(
        trust_the_view, torch.zeros(1, 3, SIZE, SIZE), depth, (DIST - 1, DIST + 1), w2c, _k(), coarse,
        (fine, fine_k, (2 * SIZE, 2 * SIZE)),
    )  # fmt: skip
    assert out.shape == (1, 3, 2 * SIZE, 2 * SIZE)
    assert torch.allclose(out, fine_img, atol=1e-5)


def test_depth_map_scales_the_normalized_depth_to_the_ray_range():
    z = depth_map(torch.tensor([[[[0.0, 0.5], [1.0, 0.25]]]]), (2.0, 6.0), (2, 2))
    assert torch.allclose(z, torch.tensor([[[[2.0, 4.0], [6.0, 3.0]]]]))
    assert depth_map(z * 0, (2.0, 6.0), (8, 6)).shape == (1, 1, 6, 8)
