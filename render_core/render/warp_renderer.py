"""The classical renderer family "warp": landmark-driven face warp + skeleton-driven body warp.

Needs no training; it is the instant preview path and the baseline every neural family must beat.
The face is warped first on the original frame, then the whole person layer (with the edited
face) follows the body edit, over a clean plate that the renderer builds as frames stream.
Given the clip's frames (`frames`), what the warp cannot show (an opened mouth's teeth, closed
lids) comes from the clip's own frames with that mouth or eye state (`warp.donors`); what the
clip cannot give is listed in `report()`'s warnings.

Convention: images (H, W, 3) float32 RGB [0, 1]; masks (H, W) float32 [0, 1]; landmarks px.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from render_core.render.types import FrameRequest, RenderedFrame
from render_core.render.warp_body import BackgroundModel, BodyWarpConfig, warp_body
from render_core.render.warp_face import FaceWarpConfig, warp_face
from render_core.warp.clip_frames import ClipFrames
from render_core.warp.donors import DonorPicker


@dataclass(frozen=True)
class WarpRendererConfig:
    """face / body: the two warps' settings. background_frames: clean-plate ring size."""

    face: FaceWarpConfig = field(default_factory=FaceWarpConfig)
    body: BodyWarpConfig = field(default_factory=BodyWarpConfig)
    background_frames: int = 15
    background_scale: float = 0.25


class WarpRenderer:
    """Renderer protocol implementation (name "warp", no temporal model of its own)."""

    name = "warp"
    temporal = False

    def __init__(self, config: WarpRendererConfig | None = None, frames: ClipFrames | None = None) -> None:
        """frames: the target clip's frames (donor mouths and lids); None: shading only."""
        self.config = config or WarpRendererConfig()
        self.background = BackgroundModel(self.config.background_frames, self.config.background_scale)
        self.donors = DonorPicker(frames) if frames is not None else None

    def report(self) -> dict:
        """Summary fields for the export: warnings about what the clip could not lend."""
        notes = list(self.donors.notes) if self.donors is not None else []
        return {"warnings": notes} if notes else {}

    def reset(self) -> None:
        """Forget the clean plate: the next request starts a new sequence."""
        self.background.reset()

    def render(self, request: FrameRequest) -> RenderedFrame:
        """The edited frame and where it differs from the original."""
        frame = np.asarray(request.frame, np.float32)
        image, mask = frame, np.zeros(frame.shape[:2], np.float32)
        if request.person_mask is not None:
            self.background.update(frame, request.person_mask)
        if request.face is not None and request.face_edit is not None:
            mouth = eyes = None
            if self.donors is not None and request.clip is not None:
                mouth, eyes = self.donors.mouth(request), self.donors.eyes(request)
            image, mask = warp_face(
                image,
                request.face.landmarks,
                request.face_edit.landmarks,
                request.face.iris,
                request.face_edit.iris,
                self.config.face,
                mouth,
                eyes or (None, None),
            )
        if request.body is not None and request.body_edit is not None and request.person_mask is not None:
            plate = self.background.plate(frame.shape[:2])
            bg, valid = plate if plate is not None else (None, None)
            image, body_mask = warp_body(
                image,
                request.person_mask,
                request.body.joints,
                request.body_edit.joints,
                bg,
                valid,
                self.config.body,
            )
            mask = np.maximum(mask, body_mask)
        return RenderedFrame(image=image if image is not frame else frame.copy(), mask=mask)
