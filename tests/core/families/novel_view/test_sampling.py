import numpy as np
import torch

from render_core.families.novel_view.sampling import (
    SceneBox,
    frustum_coords,
    lift,
    lifting_coords,
    sample_frustum,
)
from render_core.geometry.cameras import invert_rigid, look_at

K = np.array([[40.0, 0, 15.5], [0, 40.0, 15.5], [0, 0, 1]])


def _w2c(eye) -> np.ndarray:
    return invert_rigid(look_at(np.asarray(eye, float), np.zeros(3), np.array([0.0, -1.0, 0.0])))


def test_lifting_puts_the_centre_voxels_at_the_image_centre():
    g = lifting_coords(SceneBox(np.zeros(3), 1.0), 2, _w2c([0, 0, -4]), K, (32, 32))
    # The 8 voxel centres (+-0.5) project symmetrically about the principal point.
    np.testing.assert_allclose(g.reshape(-1, 2).mean(0), 0.0, atol=1e-6)


def test_frustum_rays_pass_through_the_box_centre():
    coords, depths = frustum_coords(SceneBox(np.zeros(3), 1.0), _w2c([0, 0, -4]), K, (32, 32), 9)
    assert coords.shape == (9, 32, 32, 3) and depths[0] == 0 and depths[-1] == 1
    mid = coords[4, 15:17, 15:17].mean((0, 1))  # the middle sample of the central rays
    np.testing.assert_allclose(mid.numpy(), 0.0, atol=0.05)


def test_lift_then_sample_returns_what_a_view_saw():
    """An image lifted into the grid and read back along the same camera's rays, at the
    box's central depth, gives the image back (where the box covers it)."""
    box = SceneBox(np.zeros(3), 1.0)
    w2c = _w2c([0, 0, -4])
    img = torch.linspace(0, 1, 32).view(1, 1, 1, 32).expand(1, 1, 32, 32).contiguous()
    vol, seen = lift(img, lifting_coords(box, 16, w2c, K, (32, 32))[None])
    assert seen.min() == 1
    coords, _ = frustum_coords(box, w2c, K, (32, 32), 9)
    back = sample_frustum(vol[None], coords[None])[0, 0, 4]
    inner = slice(10, 22)
    assert (back[inner, inner] - img[0, 0, inner, inner]).abs().max() < 0.05


def test_plane_warp_of_a_view_onto_itself_is_the_view():
    from render_core.families.novel_view.homography import plane_warp

    img = np.random.default_rng(0).random((32, 32, 3)).astype(np.float32)
    w2c = _w2c([0, 0, -4])
    np.testing.assert_allclose(plane_warp(img, w2c, K, w2c, K, 4.0), img, atol=1e-4)
