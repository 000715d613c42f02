"""The `novel_view` renderer: a trained DeepVoxels grid drawn from any camera.

The grid's view-independent scene features (3D U-Net over the stored grid) are computed once
at load; each frame samples them along the target camera's rays, resolves occlusion and runs
the 2D rendering net. Where the preset guides with captured views, the capture's views nearest
the camera are reprojected through the resolved depth at the requested size and blended with
the grid's image (`guided`), so the frame keeps the captured detail instead of the model's
resolution; when the capture's images are gone, the grid's image alone draws (`report` says so).
The whole frame is new pixels (mask 1): a new viewpoint moves everything in it.

Convention: FrameRequest images float32 RGB [0, 1] (H, W, 3); CameraState intrinsics in px
of its `size`; images come back at the camera's size.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import cv2
import numpy as np
import torch

from render_core.contract import FrameRequest, RenderedFrame
from render_core.errors import InputError
from render_core.families.novel_view.config import EDIT_KINDS, NovelViewConfig
from render_core.families.novel_view.data import guide_choice, read_view
from render_core.families.novel_view.guided import Guides, guided_view
from render_core.families.novel_view.networks import DeepVoxels
from render_core.families.novel_view.sampling import CoordCache, SceneBox, depth_range
from render_core.families.novel_view.step import camera_rays
from render_core.geometry.cameras import scale_intrinsics
from render_core.project.capture import Capture, read_capture
from render_core.states import CameraState
from render_core.training import checkpoint as ckpt
from render_core.training.inference import open_checkpoint


class CapturedViews:
    """The capture's training views, decoded on demand at the sizes frames ask for. The cache
    holds at most `KEEP_BYTES` (beyond the views one frame needs), so memory stays flat
    whatever the path's length and the frame's size."""

    KEEP_BYTES = 256 * 2**20
    KEEP_AT_LEAST = 4  # a frame's two nearest views at the model's size and at the frame's

    def __init__(self, capture: Capture, train: np.ndarray) -> None:
        self.capture, self.train = capture, np.asarray(train, int)
        self._images: OrderedDict[tuple[int, tuple[int, int]], torch.Tensor] = OrderedDict()

    def image(self, i: int, size: tuple[int, int]) -> torch.Tensor:
        key = (i, size)
        if key not in self._images:
            img = read_view(self.capture.images[i], size, self.capture.size)
            self._images[key] = torch.from_numpy(img).permute(2, 0, 1).contiguous()
            while len(self._images) > self.KEEP_AT_LEAST and self.cached_bytes() > self.KEEP_BYTES:
                self._images.popitem(last=False)
        self._images.move_to_end(key)
        return self._images[key]

    def cached_bytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in self._images.values())

    def choose(self, w2c: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The n training views nearest camera w2c and their priors (`data.guide_choice`)."""
        return guide_choice(self.capture.world_to_camera, w2c, self.train, n)

    def guides(self, idx: np.ndarray, prior: np.ndarray, size: tuple[int, int]) -> Guides:
        """Views `idx` with their priors at `size` (w, h), K in its pixels."""
        w, h = self.capture.size
        k = scale_intrinsics(self.capture.intrinsics[idx], size[0] / w, size[1] / h)
        images = torch.stack([self.image(int(i), size) for i in idx])
        return Guides(images, self.capture.world_to_camera[idx], k, prior)


def captured_views(meta: dict) -> CapturedViews | None:
    """The training capture's views of a checkpoint, or None when its capture can no longer
    be read (moved, deleted)."""
    try:
        capture = read_capture(Path(meta["capture"]))
    except (InputError, OSError, ValueError, KeyError):  # moved, deleted or damaged
        return None
    if not all(Path(p).is_file() for p in capture.images):
        return None
    return CapturedViews(capture, meta["train_views"])


class NovelViewRenderer:
    name = "novel_view"
    temporal = False
    kinds = EDIT_KINDS
    notes = ()
    synthesizes = True

    def __init__(self, checkpoint_dir: str | Path, device: str = "auto") -> None:
        opened = open_checkpoint(checkpoint_dir, NovelViewConfig, device)
        self.meta, self.cfg = opened.meta, opened.cfg
        self.model = DeepVoxels(self.cfg)
        ckpt.restore(opened.checkpoint, {"G": self.model})
        self.model.eval()
        box = self.meta["box"]
        self.cache = CoordCache(
            SceneBox(np.asarray(box["center"]), float(box["radius"])), self.cfg.grid, self.cfg.depth_samples
        )
        self.size = (int(self.meta["width"]), int(self.meta["height"]))
        self.views = captured_views(self.meta) if self.model.blend is not None else None
        self.missing = self.model.blend is not None and self.views is None
        with torch.no_grad():
            self.scene = self.model.scene()

    def report(self) -> dict:
        """{"warnings": [...]} when the capture's views could not guide the frames."""
        if not self.missing:
            return {}
        return {
            "warnings": [
                f"capture {self.meta.get('capture')} cannot be read: frames drawn from the model alone"
            ]
        }

    def reset(self) -> None:
        """No temporal state: every frame is drawn from the grid (and the captured views) alone."""

    @torch.no_grad()
    def render_camera(self, cam: CameraState) -> np.ndarray:
        """The image (h, w, 3) of camera `cam`: at the camera's size when captured views guide
        it, else at the model's own resolution."""
        k = scale_intrinsics(cam.intrinsics, self.size[0] / cam.size[0], self.size[1] / cam.size[1])
        w2c = np.asarray(cam.world_to_camera)
        coords, depths = camera_rays(self.cache, w2c, k, self.size)
        img, depth = self.model.render_views(self.scene, coords, depths)
        if self.views is not None:
            size = (int(cam.size[0]), int(cam.size[1]))
            idx, prior = self.views.choose(w2c, self.model.blend_views)
            coarse = self.views.guides(idx, prior, self.size)
            fine = (
                None
                if size == self.size
                else (self.views.guides(idx, prior, size), np.asarray(cam.intrinsics), size)
            )
            near_far = depth_range(self.cache.box, w2c)
            img = guided_view(self.model.blend, img, depth, near_far, w2c, k, coarse, fine)
        return img[0].permute(1, 2, 0).numpy()

    def render(self, request: FrameRequest) -> RenderedFrame:
        cam = request.camera_edit or request.camera
        h, w = request.frame.shape[:2]
        if cam is None:
            return RenderedFrame(request.frame, np.zeros((h, w), np.float32))
        img = self.render_camera(cam)
        if img.shape[:2] != (h, w):
            img = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)
        return RenderedFrame(np.clip(img, 0, 1).astype(np.float32), np.ones((h, w), np.float32))


def load_renderer(checkpoint_dir: str | Path, device: str = "auto") -> NovelViewRenderer:
    """The novel-view renderer for a checkpoint directory written by `train novel_view`."""
    return NovelViewRenderer(checkpoint_dir, device)
