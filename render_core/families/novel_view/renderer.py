"""The `novel_view` renderer: a trained DeepVoxels grid drawn from any camera.

The grid's view-independent scene features (3D U-Net over the stored grid) are computed once
at load; each frame only samples them along the target camera's rays, resolves occlusion and
runs the 2D rendering net, then resizes to the request's frame. The whole frame is new pixels
(mask 1): a new viewpoint moves everything in it.

Convention: FrameRequest images float32 RGB [0, 1] (H, W, 3); CameraState intrinsics in px
of its `size`; the model renders at its training resolution and aspect.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch

from render_core.contract import FrameRequest, RenderedFrame
from render_core.families.novel_view.config import EDIT_KINDS, NovelViewConfig
from render_core.families.novel_view.networks import DeepVoxels
from render_core.families.novel_view.sampling import CoordCache, SceneBox
from render_core.families.novel_view.step import camera_rays
from render_core.geometry.cameras import scale_intrinsics
from render_core.states import CameraState
from render_core.training import checkpoint as ckpt
from render_core.training.inference import open_checkpoint


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
        with torch.no_grad():
            self.scene = self.model.scene()

    def reset(self) -> None:
        """No temporal state: every frame is drawn from the grid alone."""

    @torch.no_grad()
    def render_camera(self, cam: CameraState) -> np.ndarray:
        """The model's image (h, w, 3) at its own resolution of camera `cam`."""
        k = scale_intrinsics(cam.intrinsics, self.size[0] / cam.size[0], self.size[1] / cam.size[1])
        coords, depths = camera_rays(self.cache, np.asarray(cam.world_to_camera), k, self.size)
        return self.model.render_views(self.scene, coords, depths)[0].permute(1, 2, 0).numpy()

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
