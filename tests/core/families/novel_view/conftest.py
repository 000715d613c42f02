"""A tiny synthetic image set with exact cameras: a sphere coloured by its surface normal
(view-consistent, so a model can learn it), seen from an orbit, written in LLFF layout."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from render_core.geometry.cameras import invert_rigid, look_at

SIZE = 32
FOCAL = 40.0
RADIUS = 1.0
DIST = 4.0


def orbit_c2w(n: int) -> np.ndarray:
    """OpenCV camera-to-world of n cameras on a circle about the origin, world up = -y... +z."""
    out = []
    for a in np.linspace(0, 2 * np.pi, n, endpoint=False):
        eye = np.array([DIST * np.sin(a), 0.3 * DIST * np.sin(2 * a) * 0.3, DIST * np.cos(a)])
        out.append(look_at(eye, np.zeros(3), np.array([0.0, -1.0, 0.0])))
    return np.stack(out)


def render_sphere(c2w: np.ndarray, size: int = SIZE) -> tuple[np.ndarray, np.ndarray]:
    """(H, W, 3) float32 image and (H, W) mask of the normal-coloured sphere."""
    u, v = np.meshgrid(np.arange(size) + 0.0, np.arange(size) + 0.0)
    c = (size - 1) / 2
    d = np.stack([(u - c) / FOCAL, (v - c) / FOCAL, np.ones_like(u)], -1) @ c2w[:3, :3].T
    d /= np.linalg.norm(d, axis=-1, keepdims=True)
    o = c2w[:3, 3]
    b = d @ o
    disc = b**2 - (o @ o - RADIUS**2)
    hit = disc > 0
    t = -b - np.sqrt(np.maximum(disc, 0))
    n = o + t[..., None] * d
    img = np.where(hit[..., None], 0.5 + 0.45 * n / RADIUS, 0.1).astype(np.float32)
    return img, hit.astype(np.float32)


def write_llff(folder: Path, n: int = 12, size: int = SIZE, rows: int | None = None) -> Path:
    """An LLFF folder (images/, masks/, poses_bounds.npy) of the sphere from n views."""
    (folder / "images").mkdir(parents=True)
    (folder / "masks").mkdir()
    c2w = orbit_c2w(n)
    poses = np.zeros((n, 17))
    for i, m in enumerate(c2w):
        img, mask = render_sphere(m, size)
        cv2.imwrite(str(folder / "images" / f"{i:03d}.png"), (img[..., ::-1] * 255).astype(np.uint8))
        cv2.imwrite(str(folder / "masks" / f"{i:03d}.png"), (mask * 255).astype(np.uint8))
        p = np.stack([m[:3, 1], m[:3, 0], -m[:3, 2], m[:3, 3], [size, size, FOCAL]], 1)
        poses[i, :15] = p.reshape(-1)
        poses[i, 15:] = [DIST - 1.5, DIST + 1.5]
    np.save(folder / "poses_bounds.npy", poses[: rows if rows is not None else n])
    return folder


@pytest.fixture
def llff_set(tmp_path: Path) -> Path:
    return write_llff(tmp_path / "sphere")


@pytest.fixture
def w2c_orbit() -> np.ndarray:
    return invert_rigid(orbit_c2w(12))
