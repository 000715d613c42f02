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


def plane_blend(images, src_w2c: np.ndarray, src_k: np.ndarray, tgt_w2c: np.ndarray, tgt_k: np.ndarray,
                center: np.ndarray) -> np.ndarray:  # fmt: skip
    """Source images (each (H, W, 3), cameras (S, 4, 4) / (S, 3, 3)) plane-warped onto the
    target camera through the plane at the depth of the scene box's `center`, blended by
    nearness; (H, W, 3) at the sources' size (K's in px of it)."""
    depth = float((tgt_w2c[:3, :3] @ center + tgt_w2c[:3, 3])[2])
    c2w, tgt = invert_rigid(src_w2c), invert_rigid(tgt_w2c)
    weights = 1.0 / np.maximum(np.linalg.norm(c2w[:, :3, 3] - tgt[:3, 3], axis=1), 1e-6)
    weights /= weights.sum()
    out = np.zeros_like(images[0])
    for wgt, img, w2c, k in zip(weights, images, src_w2c, src_k, strict=True):
        out += wgt * plane_warp(img, w2c, k, tgt_w2c, tgt_k, depth)
    return out


def homography_baseline(views, target: int, sources: np.ndarray) -> np.ndarray:
    """Blend of `sources` (two nearest training views) plane-warped onto view `target`."""
    w2c, k = views.world_to_camera, views.intrinsics
    images = [views.images[i].permute(1, 2, 0).numpy() for i in sources]
    return plane_blend(images, w2c[sources], k[sources], w2c[target], k[target], views.box.center)
