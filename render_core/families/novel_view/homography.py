"""The plane-homography baseline: the two nearest input views reprojected onto the target
camera through the plane at the scene's median depth (fronto-parallel to the target, through
the box centre), blended by nearness. What a model has to beat besides copying a view.

Convention: images (H, W, 3) float32 RGB [0, 1]; OpenCV cameras, K in px of those images.
"""

from __future__ import annotations

import cv2
import numpy as np

from render_core.geometry.cameras import invert_rigid


def plane_warp(src: np.ndarray, src_w2c: np.ndarray, k_src: np.ndarray, tgt_w2c: np.ndarray,
               k_tgt: np.ndarray, depth: float) -> np.ndarray:  # fmt: skip
    """`src` seen from the target camera, as if every pixel lay at `depth` along the target's axis."""
    h, w = src.shape[:2]
    u, v = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
    pts = (
        np.stack([(u - k_tgt[0, 2]) / k_tgt[0, 0], (v - k_tgt[1, 2]) / k_tgt[1, 1], np.ones_like(u)], -1)
        * depth
    )
    c2w = invert_rigid(tgt_w2c)
    world = pts @ c2w[:3, :3].T + c2w[:3, 3]
    pc = world @ src_w2c[:3, :3].T + src_w2c[:3, 3]
    z = np.maximum(pc[..., 2], 1e-6)
    mx = (k_src[0, 0] * pc[..., 0] / z + k_src[0, 2]).astype(np.float32)
    my = (k_src[1, 1] * pc[..., 1] / z + k_src[1, 2]).astype(np.float32)
    return cv2.remap(src, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def homography_baseline(views, target: int, sources: np.ndarray) -> np.ndarray:
    """Blend of `sources` (two nearest training views) plane-warped onto view `target`."""
    w2c, k = views.world_to_camera, views.intrinsics
    centre = w2c[target, :3, :3] @ views.box.center + w2c[target, :3, 3]
    c2w = invert_rigid(w2c)
    dist = np.linalg.norm(c2w[sources, :3, 3] - c2w[target, :3, 3], axis=1)
    weights = 1.0 / np.maximum(dist, 1e-6)
    weights /= weights.sum()
    out = np.zeros((views.size[1], views.size[0], 3), np.float32)
    for wgt, i in zip(weights, sources, strict=True):
        img = views.images[i].permute(1, 2, 0).numpy()
        out += wgt * plane_warp(img, w2c[i], k[i], w2c[target], k[target], float(centre[2]))
    return out
