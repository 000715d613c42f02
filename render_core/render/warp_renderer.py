"""The classical renderer family "warp": landmark-driven face warp + skeleton-driven body warp.

Needs no training; it is the instant preview path and the baseline every neural family must beat.
The face is warped first on the original frame, then the whole person layer (with the edited
face) follows the body edit, over a clean plate that the renderer builds as frames stream.
Given the clip's frames (`frames`), what the warp cannot show (an opened mouth's teeth, closed
lids) comes from the clip's own frames with that mouth or eye state (`warp.donors`); what the
clip cannot give is listed in `report()`'s warnings. A head turned out of the image plane
beyond what a 2D warp holds is damped (`warp.head_range`), and those frames are reported too.

Convention: images (H, W, 3) float32 RGB [0, 1]; masks (H, W) float32 [0, 1]; landmarks px.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from render_core.contract import FrameRequest, RenderedFrame
from render_core.edits.params import BODY_KINDS, FACE_KINDS
from render_core.warp.body import BackgroundModel, BodyWarpConfig, warp_body
from render_core.warp.clean_plate import clip_plate
from render_core.warp.clip_frames import ClipFrames
from render_core.warp.donors import DonorPicker
from render_core.warp.face import FaceWarpConfig, warp_face
from render_core.warp.head_range import KNEE_DEG, LIMIT_DEG, damp_turn


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
    synthesizes = False
    kinds = frozenset(FACE_KINDS + BODY_KINDS)
    notes: tuple = ()

    def __init__(self, config: WarpRendererConfig | None = None, frames: ClipFrames | None = None) -> None:
        """frames: the target clip's frames (donor mouths and lids); None: shading only."""
        self.config = config or WarpRendererConfig()
        self.background = BackgroundModel(self.config.background_frames, self.config.background_scale)
        self.donors = DonorPicker(frames) if frames is not None else None
        self.damped: set[int] = set()  # frames whose head turn was damped

    def report(self) -> dict:
        """Summary fields for the export: warnings about what the clip could not lend and the
        frames whose head turn was damped."""
        from render_core.training.split import frame_runs

        notes = list(self.donors.notes) if self.donors is not None else []
        out: dict = {}
        if self.damped:
            runs = frame_runs(np.array(sorted(self.damped), int))
            spans = ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in runs[:8])
            more = f" and {len(runs) - 8} more" if len(runs) > 8 else ""
            notes.append(
                f"{len(self.damped)} frames turn the head further than the warp renderer can show "
                f"(beyond {KNEE_DEG:.0f}-{LIMIT_DEG:.0f} deg out of the image plane; frames {spans}{more}): "
                "the turn is damped there; a portrait model trained on the clip renders larger turns"
            )
            out["damped_turn_frames"] = len(self.damped)
        if notes:
            out["warnings"] = notes
        return out

    def reset(self) -> None:
        """Forget the clean plate and the donors: the next request starts a new sequence."""
        self.background.reset()
        if self.donors is not None:
            self.donors.reset()

    def render(self, request: FrameRequest) -> RenderedFrame:
        """The edited frame and where it differs from the original."""
        frame = np.asarray(request.frame, np.float32)
        image, mask = frame, np.zeros(frame.shape[:2], np.float32)
        if request.person_mask is not None:
            self.background.update(frame, request.person_mask)
        if request.face is not None and request.face_edit is not None:
            edit = damp_turn(request.face, request.face_edit)
            if edit is not request.face_edit:
                self.damped.add(request.index)
                request = replace(request, face_edit=edit)
            else:  # a frame rendered again after its edit changed reports as it renders now
                self.damped.discard(request.index)
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
