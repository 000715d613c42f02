"""Frame-by-frame inference of a trained body model: G with its own previous output fed back,
then the face stage's residual pasted into the face box.

Convention: pose images (H, W, 3) float32 RGB [0, 1] at model resolution; joints (33, 4) model
px; outputs (H, W, 3) float32 RGB [0, 1].
"""

from __future__ import annotations

import numpy as np
import torch

from render_core.families.body.face_stage import FaceResidualGenerator, crop, face_box, paste_residual
from render_core.families.body.networks import BodyGenerator


class BodySequencer:
    """Keeps the previously generated frame (temporal state); `reset()` starts a new sequence."""

    def __init__(
        self,
        generator: BodyGenerator,
        face: FaceResidualGenerator | None = None,
        device: torch.device | str = "cpu",
    ) -> None:
        self.G, self.F, self.device = generator, face, torch.device(device)
        self.previous: torch.Tensor | None = None

    def reset(self) -> None:
        self.previous = None

    @torch.no_grad()
    def step(
        self, pose: np.ndarray, joints: np.ndarray | None = None, warped: np.ndarray | None = None
    ) -> np.ndarray:
        """Generate the next frame for `pose` (H, W, 3); refine its face when `joints` are given.
        warped (H, W, 3): the frame warped to this pose, for a warp-guided generator."""
        was_training = self.G.training
        if was_training:  # the trainer's own generator; walking the modules costs 2 ms a frame
            self.G.eval()
        p = _tensor(pose, self.device)
        w = None if warped is None else _tensor(warped, self.device)
        out = self.G(p, self.previous, w)
        if was_training:
            self.G.train()
        self.previous = out
        if self.F is not None and joints is not None:
            out = self._refine_face(p, out, joints)
        return out[0].clamp(0, 1).permute(1, 2, 0).cpu().numpy().astype(np.float32)

    def _refine_face(self, pose: torch.Tensor, out: torch.Tensor, joints: np.ndarray) -> torch.Tensor:
        box = face_box(joints, tuple(out.shape[2:]), self.F.cfg.box_scale)
        if box is None:
            return out
        size = self.F.cfg.size
        residual = self.F.residual(crop(pose, [box], size), crop(out, [box], size))
        return paste_residual(out, residual, [box])


def _tensor(image: np.ndarray, device: torch.device) -> torch.Tensor:
    """(H, W, 3) float32 -> (1, 3, H, W) on `device`."""
    return torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))[None].float().to(device)
