"""Where the voxel grid meets the cameras: the lifting coordinates (each voxel's pixel in a
source view) and the frustum coordinates (each ray sample's place in the grid), both as
`grid_sample` coordinates, computed once per camera and cached.

Convention: OpenCV cameras, world_to_camera (4, 4), K (3, 3) px of the model-resolution image.
The grid spans the scene box [center - radius, center + radius]^3; volumes are laid out
(C, z, y, x) so `grid_sample`'s (x, y, z) coordinates are world x, y, z normalized to [-1, 1].
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch.nn import functional as F

OUTSIDE = 2.0  # a grid_sample coordinate outside [-1, 1]: zeros padding


@dataclass
class SceneBox:
    """center (3,), radius: the cube the grid fills."""

    center: np.ndarray
    radius: float

    def voxel_centers(self, n: int) -> np.ndarray:
        """(n, n, n, 3) world points, indexed [z, y, x]."""
        t = (np.arange(n) + 0.5) / n * 2 - 1
        z, y, x = np.meshgrid(t, t, t, indexing="ij")
        return self.center + self.radius * np.stack([x, y, z], -1)


def project(points: np.ndarray, w2c: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """points (..., 3) world -> pixels (..., 2) and depth (...,)."""
    pc = points @ w2c[:3, :3].T + w2c[:3, 3]
    z = pc[..., 2]
    uv = (pc[..., :2] / np.maximum(z, 1e-6)[..., None]) @ k[:2, :2].T + k[:2, 2]
    return uv, z


def lifting_coords(
    box: SceneBox, n: int, w2c: np.ndarray, k: np.ndarray, size: tuple[int, int]
) -> torch.Tensor:
    """(n, n, n, 2) normalized pixel coordinates of every voxel centre in a (w, h) feature map;
    voxels behind the camera sample outside (zeros)."""
    uv, z = project(box.voxel_centers(n), w2c, k)
    w, h = size
    g = np.stack([(uv[..., 0] + 0.5) / w * 2 - 1, (uv[..., 1] + 0.5) / h * 2 - 1], -1)
    g[z <= 0] = OUTSIDE
    return torch.from_numpy(g.astype(np.float32))


def depth_range(box: SceneBox, w2c: np.ndarray) -> tuple[float, float]:
    """Near/far depths along the view that enclose the box (its bounding sphere)."""
    d = float(np.linalg.norm(w2c[:3, :3] @ box.center + w2c[:3, 3]))
    r = box.radius * np.sqrt(3.0)
    return max(d - r, 1e-3), d + r


def frustum_coords(
    box: SceneBox, w2c: np.ndarray, k: np.ndarray, size: tuple[int, int], samples: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Grid coordinates (samples, h, w, 3) of points along each pixel's ray of a (w, h) image
    (K in that image's pixels), at depths evenly spaced over `depth_range`; and those depths
    (samples,) normalized to [0, 1] for the occlusion net."""
    w, h = size
    near, far = depth_range(box, w2c)
    depths = np.linspace(near, far, samples)
    u, v = np.meshgrid(np.arange(w) + 0.0, np.arange(h) + 0.0)
    rays = np.stack([(u - k[0, 2]) / k[0, 0], (v - k[1, 2]) / k[1, 1], np.ones_like(u)], -1)
    c2w_r, c2w_t = w2c[:3, :3].T, -w2c[:3, :3].T @ w2c[:3, 3]
    pts = depths[:, None, None, None] * rays[None] @ c2w_r.T + c2w_t
    g = (pts - box.center) / box.radius
    return torch.from_numpy(g.astype(np.float32)), torch.from_numpy(
        np.linspace(0, 1, samples, dtype=np.float32)
    )


@dataclass
class CoordCache:
    """Lifting and frustum coordinates per camera index, computed on first use."""

    box: SceneBox
    grid: int
    samples: int
    lift: dict = field(default_factory=dict)
    frustum: dict = field(default_factory=dict)

    def lifting(self, i: int, w2c, k, size) -> torch.Tensor:
        if i not in self.lift:
            self.lift[i] = lifting_coords(self.box, self.grid, w2c, k, size)
        return self.lift[i]

    def rays(self, i: int, w2c, k, size) -> tuple[torch.Tensor, torch.Tensor]:
        if i not in self.frustum:
            self.frustum[i] = frustum_coords(self.box, w2c, k, size, self.samples)
        return self.frustum[i]


def lift(features: torch.Tensor, coords: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Back-project 2D features (V, C, h, w) along lifting coords (V, n, n, n, 2) into volumes:
    the mean over the views that see each voxel (C, n, n, n) and that count's share (1, n, n, n)."""
    v, _, n = features.shape[0], features.shape[1], coords.shape[1]
    flat = coords.reshape(v, n, n * n, 2)
    vol = F.grid_sample(features, flat, mode="bilinear", padding_mode="zeros", align_corners=False)
    seen = (flat.abs() <= 1).all(-1).float().reshape(v, 1, n, n, n)
    vol = vol.reshape(v, -1, n, n, n) * seen
    count = seen.sum(0)
    return vol.sum(0) / count.clamp(min=1), count / v


def sample_frustum(volume: torch.Tensor, coords: torch.Tensor) -> torch.Tensor:
    """A volume (B, C, n, n, n) sampled at frustum coords (B, D, h, w, 3) -> (B, C, D, h, w)."""
    return F.grid_sample(volume, coords, mode="bilinear", padding_mode="zeros", align_corners=False)
