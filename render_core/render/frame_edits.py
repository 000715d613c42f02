"""Resolve the edit timeline at one frame into edited face / body states (pure).

Order: a reenact_face layer first replaces the target's face motion with the driving clip's
(relative to each clip's neutral frame), then additive face edits (expression, head pose, gaze)
apply on top; transfer_body replaces the joints with the driving clip's pose (7-frame temporal
median, as in the paper) mapped by global pose normalization, then body_pose rotations apply on top.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from render_core.edits.body_ops import apply_body_pose
from render_core.edits.face_ops import edit_face
from render_core.edits.reenact import FacePair, reenact_face
from render_core.edits.settings import ReenactSettings, TransferSettings
from render_core.edits.timeline import EditTimeline
from render_core.render.sources import ClipTracks, EditSources
from render_core.render.types import BodyState, FaceState

FACE_KINDS = ("expression", "head_pose", "gaze")


@dataclass(frozen=True)
class EditedFrame:
    """Tracked and edited states of one frame (edited None = that part is not edited)."""

    face: FaceState | None
    face_edit: FaceState | None
    body: BodyState | None
    body_edit: BodyState | None

    @property
    def edited(self) -> bool:
        return self.face_edit is not None or self.body_edit is not None


def _deciding_layer(timeline: EditTimeline, t: int, kind: str):
    layers = [ly for ly in timeline.active_layers(t) if ly.kind == kind]
    return layers[-1] if layers else None


def _clamp(t: int, clip: ClipTracks) -> int:
    return int(np.clip(t, clip.start, clip.start + len(clip) - 1))


def _driving(sources: EditSources, timeline: EditTimeline, t: int, kind: str, settings_type):
    """(settings, driving clip tracks, driving frame) of the layer deciding `kind` at `t`;
    the tracks are None when the driving clip was not loaded or not chosen."""
    layer = _deciding_layer(timeline, t, kind)
    if not layer.settings.get("driving_clip"):
        return None, None, None  # not chosen yet: the frame stays unedited (`undriven_layers`)
    s = settings_type.from_json(layer.settings)
    drv = sources.driving.get(s.driving_clip)
    if drv is None:
        return s, None, None
    out_fps = sources.output_fps
    rate = drv.fps / out_fps if drv.fps and out_fps else 1.0
    return s, drv, _clamp(s.driving_frame(t, layer.start, rate), drv)


def _reenacted(
    face: FaceState, t: int, sources: EditSources, timeline: EditTimeline, strength: float, scale: float
) -> FaceState:
    s, drv, dt = _driving(sources, timeline, t, "reenact_face", ReenactSettings)
    if drv is None:
        return face
    d_t = drv.steady_face(dt)  # without the tracker's lag: the motion keeps time with the driving audio
    d_n = drv.steady_face(s.driving_neutral_frame)
    t_n = sources.target.face(s.target_neutral_frame, scale)
    if d_t is None or d_n is None or t_n is None:
        return face  # the driving face is missing at this frame: keep the target's own
    ranges = (sources.target.expression_range, drv.expression_range)
    return reenact_face(FacePair(face, t_n), FacePair(d_t, d_n), strength, s.channels, ranges)


def _transferred(
    body: BodyState, t: int, sources: EditSources, timeline: EditTimeline, strength: float, scale: float
) -> BodyState:
    from render_core.geometry.pose_normalization import normalize

    _, drv, dt = _driving(sources, timeline, t, "transfer_body", TransferSettings)
    if drv is None or drv.pose_stats is None or sources.target.pose_stats is None:
        return body
    d = drv.smoothed_body(dt)  # paper: 7-frame median
    if d is None:
        return body
    j = normalize(d.joints[None], drv.pose_stats, sources.target.pose_stats)[0]
    j[:, :3] *= scale
    mixed = (1 - strength) * body.joints + strength * j  # visibility too: the dancer's limbs are drawn
    return BodyState(mixed)


def resolve_frame(sources: EditSources, timeline: EditTimeline, t: int, scale: float = 1.0) -> EditedFrame:
    """Tracked and edited states at clip frame `t` (states scaled by `scale` for previews)."""
    params = timeline.evaluate(t)
    face = sources.target.face(t, scale)
    body = sources.target.body(t, scale)
    face_edit = body_edit = None
    if face is not None and sources.target.neutral_head is not None:
        edited = face
        if "reenact_face" in params:
            edited = _reenacted(face, t, sources, timeline, params["reenact_face"].strength, scale)
        face_params = {k: params[k] for k in FACE_KINDS if k in params}
        if face_params:
            edited = edit_face(edited, sources.target.neutral_head, face_params)
        face_edit = edited if edited is not face else None
    if body is not None:
        edited_b = body
        if "transfer_body" in params:
            edited_b = _transferred(body, t, sources, timeline, params["transfer_body"].strength, scale)
        if "body_pose" in params:
            edited_b = BodyState(apply_body_pose(edited_b.joints, params["body_pose"]))
        body_edit = edited_b if edited_b is not body else None
    return EditedFrame(face, face_edit, body, body_edit)
