"""The body family's face stage (Everybody Dance Now, 3.3): a residual face GAN.

After the main stage, a small generator looks at the face crop of the stick figure and of the
generated frame and predicts a residual that is added to the generated face:
`face' = G(x)_F + r(pose_F, G(x)_F)`. Crops are square boxes around the head joints, resized to
`size`, and pasted back by the inverse resize.

Convention: boxes are (x0, y0, side) integer px in the model image (x right, y down); images
(B, 3, H, W) float32 RGB [0, 1]; joints (33, 4) px in the model image.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from render_core.families.body.networks import global_generator

HEAD_JOINTS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)


@dataclass(frozen=True)
class FaceStageConfig:
    """Face crop side in the model image = `box_scale` x the head joints' spread; crops are
    resized to `size` px. Generator widths as in `global_generator`."""

    size: int = 32
    box_scale: float = 2.2
    ngf: int = 16
    n_down: int = 2
    n_blocks: int = 2


def face_box(joints: np.ndarray, image_hw: tuple[int, int], box_scale: float = 2.2, min_vis: float = 0.5):
    """Square box around the visible head joints, clamped inside the image, or None.

    joints: (33, 4) px in the model image. Returns (x0, y0, side) ints.
    """
    h, w = image_hw
    head = joints[list(HEAD_JOINTS)]
    ok = np.isfinite(head[:, :2]).all(1) & (np.nan_to_num(head[:, 3]) >= min_vis)
    if ok.sum() < 3:
        return None
    pts = head[ok, :2]
    centre = pts.mean(0)
    spread = float(np.max(pts.max(0) - pts.min(0)))
    side = int(round(min(max(box_scale * spread, 8.0), h, w)))
    x0 = int(np.clip(round(centre[0] - side / 2), 0, w - side))
    y0 = int(np.clip(round(centre[1] - side / 2), 0, h - side))
    return x0, y0, side


def crop(images: torch.Tensor, boxes: list[tuple[int, int, int]], size: int) -> torch.Tensor:
    """(B, C, H, W) -> (B, C, size, size): each sample's box, bilinear-resized (differentiable)."""
    out = [
        F.interpolate(
            img[None, :, y0 : y0 + s, x0 : x0 + s], size=(size, size), mode="bilinear", align_corners=False
        )
        for img, (x0, y0, s) in zip(images, boxes, strict=True)
    ]
    return torch.cat(out, 0)


def paste_residual(
    images: torch.Tensor, residual: torch.Tensor, boxes: list[tuple[int, int, int]]
) -> torch.Tensor:
    """Add each crop-space residual (B, 3, size, size) back into its box of `images`."""
    out = []
    for img, r, (x0, y0, s) in zip(images, residual, boxes, strict=True):
        r_full = F.interpolate(r[None], size=(s, s), mode="bilinear", align_corners=False)[0]
        pad = (x0, img.shape[2] - x0 - s, y0, img.shape[1] - y0 - s)
        out.append(img + F.pad(r_full, pad))
    return torch.stack(out, 0)


class FaceResidualGenerator(nn.Module):
    """r(pose_F, generated_F) -> residual in [-1, 1] (tanh) added to the generated face crop."""

    def __init__(self, cfg: FaceStageConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg = cfg or FaceStageConfig()
        self.net = global_generator(6, 3, cfg.ngf, cfg.n_down, cfg.n_blocks, 512)
        # The residual starts at zero: a face stage that got few updates leaves the face as the
        # main stage drew it (a real frame's face, for the warp-guided generator) instead of
        # adding its initial noise.
        last = [m for m in self.net if isinstance(m, nn.Conv2d)][-1]
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)

    def residual(self, pose_crop: torch.Tensor, face_crop: torch.Tensor) -> torch.Tensor:
        """Both (B, 3, s, s) in [0, 1]; returns the residual r (B, 3, s, s) in [-1, 1]."""
        return self.net(torch.cat([pose_crop * 2 - 1, face_crop * 2 - 1], 1))

    def forward(self, pose_crop: torch.Tensor, face_crop: torch.Tensor) -> torch.Tensor:
        """The refined crop face_crop + r."""
        return face_crop + self.residual(pose_crop, face_crop)
