"""The classical renderer family "warp": landmark-driven face warp + skeleton-driven body warp.

Needs no training; it is the instant preview path and the baseline every neural family must beat.
The face is warped first on the original frame, then the whole person layer (with the edited
face) follows the body edit, over a clean plate that the renderer builds as frames stream.

Convention: images (H, W, 3) float32 RGB [0, 1]; masks (H, W) float32 [0, 1]; landmarks px.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from render_core.render.types import FrameRequest, RenderedFrame
from render_core.warp.body import BackgroundModel, BodyWarpConfig, warp_body
from render_core.warp.clean_plate import clip_plate
from render_core.warp.face import FaceWarpConfig, warp_face


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

    def __init__(self, config: WarpRendererConfig | None = None) -> None:
        self.config = config or WarpRendererConfig()
        self.background = BackgroundModel(self.config.background_frames, self.config.background_scale)

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
            image, mask = warp_face(
                image,
                request.face.landmarks,
                request.face_edit.landmarks,
                request.face.iris,
                request.face_edit.iris,
                self.config.face,
            )
        if request.body is not None and request.body_edit is not None and request.person_mask is not None:
            plate = self._plate(request, frame.shape[:2])
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

    def _plate(self, request: FrameRequest, shape: tuple[int, int]) -> tuple | None:
        """The clip-wide clean plate where the request's clip has one (`warp.clean_plate`), else
        the ring of the frames seen so far."""
        tracks = getattr(request.clip, "tracks", None)
        plate = clip_plate(tracks) if tracks is not None else None
        return plate.at(shape) if plate is not None else self.background.plate(shape)
