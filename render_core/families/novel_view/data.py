"""A capture prepared for training: every view at the model resolution, cameras rescaled to
it, the held-out split (every 8th view, the LLFF convention; a video's frames beside a
held-out one left out of training too) and each view's nearest training views (the sources
lifted when it is the target, and the nearest-view baseline).

Convention: images (N, 3, H, W) float32 RGB [0, 1]; masks (N, 1, H, W) [0, 1] or None;
intrinsics (N, 3, 3) in pixels of the model-resolution images.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from render_core.families.novel_view.config import NovelViewConfig
from render_core.families.novel_view.sampling import SceneBox
from render_core.geometry.cameras import invert_rigid, scale_intrinsics
from render_core.jobs import JobContext
from render_core.project.capture import Capture


@dataclass
class ViewSet:
    capture: Capture
    images: torch.Tensor
    masks: torch.Tensor | None
    world_to_camera: np.ndarray
    intrinsics: np.ndarray
    size: tuple[int, int]  # (w, h) of the model images
    train: np.ndarray
    heldout: np.ndarray
    box: SceneBox

    def nearest_train(self, i: int, k: int = 1, exclude_self: bool = True) -> np.ndarray:
        """The k training views closest to view i (position over the orbit's radius + angle)."""
        return nearest_views(
            self.world_to_camera, i, self.train[self.train != i] if exclude_self else self.train, k
        )


# A video's frames next to a held-out one nearly repeat it: they leave training too, so the
# held-out report measures new viewpoints rather than a neighbour's copy.
VIDEO_GAP = 2


def split_views(n: int, every: int, gap: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train, heldout) indices of n views: every `every`-th held out (from view 0), and the
    `gap` views on each side of a held-out one in neither."""
    idx = np.arange(n)
    heldout = idx[::every]
    near = np.abs(idx[:, None] - heldout[None]).min(1) <= gap
    return idx[~near], heldout


def model_size(capture: Capture, resolution: int) -> tuple[int, int]:
    """(w, h) of the model images: height `resolution`, width by the aspect, a multiple of 8."""
    w, h = capture.size
    return max(8, int(round(resolution * w / h / 8)) * 8), resolution


def nearest_views(w2c: np.ndarray, i: int, candidates: np.ndarray, k: int = 1) -> np.ndarray:
    """The k of `candidates` nearest view i (`nearest_cameras`)."""
    return nearest_cameras(w2c, w2c[i], candidates, k)


def nearest_cameras(w2c: np.ndarray, target: np.ndarray, candidates: np.ndarray, k: int = 1) -> np.ndarray:
    """The k of `candidates` (indices into w2c (N, 4, 4)) nearest the camera `target` (4, 4)
    (`camera_distances`), nearest first."""
    return candidates[np.argsort(camera_distances(w2c, target, candidates))[:k]]


def camera_distances(w2c: np.ndarray, target: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """How far each of `candidates` (indices into w2c (N, 4, 4)) is from the camera `target`
    (4, 4): position distance (relative to the mean distance between cameras) plus the angle
    between viewing directions (radians)."""
    c2w, tgt = invert_rigid(w2c), invert_rigid(target)
    pos, fwd = c2w[:, :3, 3], c2w[:, :3, 2]
    scale = np.linalg.norm(pos - pos.mean(0), axis=1).mean() + 1e-9
    d = np.linalg.norm(pos[candidates] - tgt[:3, 3], axis=1) / scale
    return d + np.arccos(np.clip(fwd[candidates] @ tgt[:3, 2], -1, 1))


def guide_choice(
    w2c: np.ndarray, target: np.ndarray, candidates: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The k of `candidates` nearest camera `target` and their priors (k,) in [0, 1]:
    1 - distance / the distance of the next-nearest candidate. A view's prior falls to 0 just
    as it leaves the k nearest (and rises from 0 as it joins), so a moving camera fades guides
    in and out instead of swapping them in one frame."""
    d = camera_distances(w2c, target, candidates)
    order = np.argsort(d)
    near = d[order[:k]]
    if len(order) <= k:
        return candidates[order[:k]], np.ones(len(near))
    return candidates[order[:k]], np.clip(1.0 - near / max(d[order[k]], 1e-9), 0.0, 1.0)


# JPEG decodes at 1/2, 1/4 or 1/8 size straight from its DCT: several times faster than a
# full decode and a resize, for views read at a fraction of their size.
_REDUCED = ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4), (2, cv2.IMREAD_REDUCED_COLOR_2))


def read_view(path, size: tuple[int, int], full: tuple[int, int] | None = None) -> np.ndarray:
    """The colour image at `path` resized to `size` (w, h): (h, w, 3) float32 RGB [0, 1].
    `full`: the image's own (w, h); where given, a JPEG at least twice as large decodes
    reduced first."""
    flag = cv2.IMREAD_COLOR
    if full is not None and Path(path).suffix.lower() in (".jpg", ".jpeg"):
        flag = next((f for n, f in _REDUCED if full[0] >= n * size[0] and full[1] >= n * size[1]), flag)
    img = cv2.resize(cv2.imread(str(path), flag), size, interpolation=cv2.INTER_AREA)
    return img[..., ::-1].astype(np.float32) / 255.0


def _read_mask(path, size: tuple[int, int]) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


def load_views(capture: Capture, cfg: NovelViewConfig, ctx: JobContext) -> ViewSet:
    """Every view at the model resolution with its cameras, split and scene box."""
    size = model_size(capture, cfg.resolution)
    n = len(capture)
    imgs, masks = [], []
    for i in range(n):
        ctx.step(i, n, f"loading view {i + 1}/{n}")
        imgs.append(read_view(capture.images[i], size))
        if capture.masks is not None:
            masks.append(_read_mask(capture.masks[i], size))
    k = scale_intrinsics(capture.intrinsics, size[0] / capture.size[0], size[1] / capture.size[1])
    gap = VIDEO_GAP if capture.source.startswith("video:") else 0
    train, heldout = split_views(n, cfg.heldout_every, gap)
    return ViewSet(
        capture=capture,
        images=torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2).contiguous(),
        masks=torch.from_numpy(np.stack(masks))[:, None] if masks else None,
        world_to_camera=capture.world_to_camera,
        intrinsics=k,
        size=size,
        train=train,
        heldout=heldout,
        box=SceneBox(capture.center, capture.radius),
    )
