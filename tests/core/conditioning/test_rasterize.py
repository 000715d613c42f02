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
