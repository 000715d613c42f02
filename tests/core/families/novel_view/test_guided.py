import numpy as np
import torch

from render_core.families.novel_view.data import guide_choice
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


def test_blend_weights_sum_to_one_skip_unseen_points_and_ignore_the_views_order():
    torch.manual_seed(0)
    blend = ViewBlend(8)
    rendered = torch.rand(1, 3, 16, 16)
    warped = torch.rand(2, 3, 16, 16)
    valid = torch.ones(2, 1, 16, 16)
    valid[1, :, :, :8] = 0
    prior = torch.tensor([1.0, 0.7])
    w = blend(rendered, warped, valid, prior)
    assert w.shape == (1, 3, 16, 16)
    assert torch.allclose(w.sum(1), torch.ones(1, 16, 16), atol=1e-5)
    assert w[0, 2, :, :8].max() < 1e-5 and w[0, 2, :, 8:].min() > 0
    swapped = blend(rendered, warped.flip(0), valid.flip(0), prior.flip(0))
    assert torch.allclose(swapped[:, [0, 2, 1]], w, atol=1e-5)
    fading = blend(rendered, warped, valid, torch.tensor([1.0, 0.0]))
    assert fading[0, 2].max() < 1e-4  # a view leaving the nearest few has no weight left
    out = compose(w, rendered, warped)
    lo = torch.minimum(rendered[0], warped.min(0).values)
    hi = torch.maximum(rendered[0], warped.max(0).values)
    assert out.shape == (1, 3, 16, 16) and (out[0] >= lo - 1e-5).all() and (out[0] <= hi + 1e-5).all()


def test_guide_priors_fade_a_view_out_before_another_replaces_it():
    """Along an orbit the chosen views change, but every view's prior is 0 on the frame it
    joins or leaves the nearest few: the guides' weights move continuously."""
    c2w = orbit_c2w(12)
    w2c = invert_rigid(c2w)
    train = np.arange(12)
    path = [invert_rigid(look_at_orbit(a)) for a in np.linspace(0.1, 1.9, 400)]
    prev = None
    jumps = []
    for cam in path:
        idx, prior = guide_choice(w2c, cam, train, 2)
        assert len(idx) == 2 and (prior >= 0).all() and (prior <= 1).all()
        now = dict(zip(idx.tolist(), prior.tolist(), strict=True))
        if prev is not None:
            for v in set(now) | set(prev):
                jumps.append(abs(now.get(v, 0.0) - prev.get(v, 0.0)))
        prev = now
    assert max(jumps) < 0.05


def look_at_orbit(angle: float) -> np.ndarray:
    """An OpenCV camera-to-world on the conftest orbit's circle at `angle` radians."""
    from render_core.geometry.cameras import look_at

    eye = np.array([DIST * np.sin(angle), 0.0, DIST * np.cos(angle)])
    return look_at(eye, np.zeros(3), np.array([0.0, -1.0, 0.0]))


def test_guided_view_at_a_finer_size_keeps_the_fine_views_detail():
    """Weights predicted at the model's size apply to views warped at the output's size: the
    output is as sharp as the captured view, not an enlarged model image."""
    c2w = orbit_c2w(12)[2]
    w2c = invert_rigid(c2w)
    coarse = Guides(_image(c2w)[None], w2c[None], _k()[None])
    fine_img = torch.rand(1, 3, 2 * SIZE, 2 * SIZE)  # high-frequency content only at the fine size
    fine_k = np.array([[2 * FOCAL, 0, SIZE - 0.5], [0, 2 * FOCAL, SIZE - 0.5], [0, 0, 1.0]])
    fine = Guides(fine_img, w2c[None], fine_k[None])

    def trust_the_view(rendered, warped, valid, prior):
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


def test_where_no_view_reaches_a_pixel_at_the_output_size_the_grid_image_fills_it():
    """Weights predicted at the model's size can trust a view at a pixel its output-size warp
    falls outside of (the border): that weight goes to the grid's image, never to black."""
    c2w = orbit_c2w(12)[2]
    w2c = invert_rigid(c2w)
    coarse = Guides(_image(c2w)[None], w2c[None], _k()[None])
    fine_k = np.array([[2 * FOCAL, 0, SIZE - 0.5], [0, 2 * FOCAL, SIZE - 0.5], [0, 0, 1.0]])
    shifted = invert_rigid(
        orbit_c2w(12)[2] @ np.array([[1, 0, 0, 0.6], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1.0]])
    )
    fine = Guides(torch.rand(1, 3, 2 * SIZE, 2 * SIZE), shifted[None], fine_k[None])

    def trust_the_view(rendered, warped, valid, prior):
        return torch.cat([torch.zeros_like(valid[:1, 0]), torch.ones_like(valid[:, 0])], 0)[None]

    grey = torch.full((1, 3, SIZE, SIZE), 0.5)
    depth = torch.full((1, 1, SIZE // 2, SIZE // 2), 0.5)
    out = guided_view(
        trust_the_view, grey, depth, (DIST - 1, DIST + 1), w2c, _k(), coarse,
        (fine, fine_k, (2 * SIZE, 2 * SIZE)),
    )  # fmt: skip
    unseen = reproject(fine, w2c, fine_k, torch.full((1, 1, 2 * SIZE, 2 * SIZE), DIST))[1][0, 0] == 0
    assert unseen.sum() > 50
    assert torch.allclose(out[0][:, unseen], torch.full_like(out[0][:, unseen], 0.5), atol=1e-4)
