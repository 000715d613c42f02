import numpy as np
import torch

from render_core.conditioning.rasterize import rasterize


def test_zbuffer_keeps_nearer_triangle_where_they_overlap():
    # Triangle 0 far (z=5) covers the left part, triangle 1 near (z=1) the right; they overlap.
    v = np.array([[2, 2, 5], [20, 2, 5], [2, 30, 5], [10, 4, 1], [30, 4, 1], [10, 30, 1]], np.float32)
    tris = np.array([[0, 1, 2], [3, 4, 5]])
    r = rasterize(v, tris, 32)
    assert r.tri[5, 4].item() == 0  # only the far triangle here
    assert r.tri[8, 12].item() == 1  # overlap: the near one wins
    assert r.tri[31, 31].item() == -1  # empty
    # Reversed depth: the other triangle wins the overlap.
    v2 = v.copy()
    v2[:3, 2], v2[3:, 2] = 1, 5
    assert rasterize(v2, tris, 32).tri[8, 12].item() == 0


def test_barycentrics_interpolate_vertex_attributes_exactly():
    v = np.array([[0, 0, 0], [16, 0, 0], [0, 16, 0]], np.float32)
    tris = torch.tensor([[0, 1, 2]])
    r = rasterize(v, tris, 16)
    xy = r.interpolate(torch.from_numpy(v[:, :2]), tris)  # interpolating positions gives pixel centres
    assert torch.allclose(xy[3, 5], torch.tensor([5.5, 3.5]), atol=1e-4)
    assert r.mask.sum().item() == 136  # pixel centres with x + y <= 16: sum_{r=0}^{15} (16 - r)


def test_mesh_outside_the_image_rasterizes_to_nothing():
    v = np.array([[-50, -50, 0], [-40, -50, 0], [-50, -40, 0]], np.float32)
    r = rasterize(v, np.array([[0, 1, 2]]), 16)
    assert not r.mask.any() and r.bary.abs().sum() == 0


def test_visible_pixels_are_the_covered_pixels_of_the_raster_with_their_values():
    from render_core.conditioning.rasterize import visible_pixels

    v = np.array([[2, 2, 5], [20, 2, 5], [2, 30, 5], [10, 4, 1], [30, 4, 1], [10, 30, 1]], np.float32)
    tris = torch.tensor([[0, 1, 2], [3, 4, 5]])
    r, vis = rasterize(v, tris, 32), visible_pixels(v, tris, 32)
    covered = torch.nonzero(r.mask.view(-1)).squeeze(1)
    assert torch.equal(vis.pix, covered)
    assert torch.equal(vis.tri, r.tri.view(-1)[covered])
    attrs = torch.from_numpy(v)
    dense = r.interpolate(attrs, tris).view(-1, 3)[covered]
    assert torch.allclose(vis.interpolate(attrs, tris), dense, atol=1e-5)


def test_row_spans_cover_exactly_the_pixel_centres_a_brute_force_test_finds():
    """Random triangles (slivers, ones past the border, a degenerate one, horizontal edges):
    the covered pixels and their nearest triangle are those of testing every pixel centre."""
    from render_core.conditioning.rasterize import _plane_coefficients, visible_pixels

    rng = np.random.default_rng(3)
    size = 24
    v = rng.uniform(-6, size + 6, (30, 3)).astype(np.float32)
    v[:, 2] = rng.uniform(0, 10, 30)
    v[27:30, :2] = [[2, 2], [8, 8], [14, 14]]  # collinear: covers nothing
    v[24, 1] = v[25, 1] = 5.0  # a horizontal edge
    tris = torch.arange(30).view(10, 3)
    vis = visible_pixels(v, tris, size)
    coef = _plane_coefficients(torch.from_numpy(v)[tris])  # (M, 4, 3)
    ys, xs = np.mgrid[0:size, 0:size]
    centres = torch.from_numpy(
        np.stack([xs.ravel() + 0.5, ys.ravel() + 0.5, np.ones(size * size)], 1)
    ).float()
    vals = torch.einsum("mkc,pc->mpk", coef, centres)  # (M, P, 4)
    inside = (vals[..., :3] >= -1e-5).all(-1)
    depth = torch.where(inside, vals[..., 3], torch.tensor(float("inf")))
    nearest = depth.argmin(0)
    covered = torch.nonzero(inside.any(0)).squeeze(1)
    assert torch.equal(vis.pix, covered) and covered.numel() > 50
    assert torch.equal(vis.tri, nearest[covered])
    assert not (vis.tri == 9).any()  # the degenerate triangle
