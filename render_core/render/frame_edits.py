"""Resolve the edit timeline at one frame into edited states, one resolver per edited part (pure).

Each part (face, body, camera) has a resolver that reads the tracked state and applies the edit
kinds of that part in order (`edits.params.FACE_KINDS` ...): a driven layer first replaces the
part's motion with the driving clip's (reenact_face: relative to each clip's neutral frame;
transfer_body: the driving pose, 7-frame median as in the paper, mapped by global pose
normalization), then the additive edits apply on top. A new part plugs in as one more resolver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from render_core.edits.body_ops import apply_body_pose
from render_core.edits.face_ops import edit_face
from render_core.edits.params import BODY_KINDS, CAMERA_KINDS, FACE_KINDS
from render_core.edits.reenact import FacePair, reenact_face
from render_core.edits.settings import ReenactSettings, TransferSettings
from render_core.edits.timeline import EditTimeline
from render_core.edits.viewpoint_ops import apply_viewpoint
from render_core.geometry.pose_normalization import normalize
from render_core.render.sources import ClipTracks, EditSources
from render_core.states import BodyState, CameraState, FaceState


@dataclass(frozen=True)
class EditedFrame:
    """Tracked and edited states of one frame (edited None = that part is not edited)."""

    face: FaceState | None
    face_edit: FaceState | None
    body: BodyState | None
    body_edit: BodyState | None
    camera: CameraState | None = None
    camera_edit: CameraState | None = None
    # The edited face follows a driving clip (reenact_face): its geometry is the driver's
    # expression on the target's head, not the target's own face plus a displacement.
    face_driven: bool = False

    @property
    def edited(self) -> bool:
        return any(e is not None for e in (self.face_edit, self.body_edit, self.camera_edit))


@dataclass(frozen=True)
class FrameContext:
    """What a resolver may read besides the part's state: the frame, the sources, the timeline
    and its evaluated params at the frame, the preview scale."""

    t: int
    sources: EditSources
    timeline: EditTimeline
    params: dict
    scale: float


@dataclass(frozen=True)
class PartResolver:
    """tracked(ctx) -> the part's tracked state or None. stages: groups of edit kinds in the
    order they apply; apply(state, kinds, ctx) -> the state with the stage's kinds that are
    active at the frame applied together (face edits pose, expression and gaze in one solve)."""

    part: str
    stages: tuple[tuple[str, ...], ...]
    tracked: Callable[[FrameContext], object | None]
    apply: Callable[[object, tuple[str, ...], FrameContext], object]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for stage in self.stages for k in stage)


def _deciding_layer(timeline: EditTimeline, t: int, kind: str):
    layers = [ly for ly in timeline.active_layers(t) if ly.kind == kind]
    return layers[-1] if layers else None


def _clamp(t: int, clip: ClipTracks) -> int:
    return int(np.clip(t, clip.start, clip.start + len(clip) - 1))


def _driving(c: FrameContext, kind: str, settings_type):
    """(settings, driving clip tracks, driving frame) of the layer deciding `kind` at `t`;
    the tracks are None when the driving clip was not loaded or not chosen."""
    layer = _deciding_layer(c.timeline, c.t, kind)
    if not layer.settings.get("driving_clip"):
        return None, None, None  # not chosen yet: the frame stays unedited (`undriven_layers`)
    s = settings_type.from_json(layer.settings)
    drv = c.sources.driving.get(s.driving_clip)
    if drv is None:
        return s, None, None
    out_fps = c.sources.output_fps
    rate = drv.fps / out_fps if drv.fps and out_fps else 1.0
    return s, drv, _clamp(s.driving_frame(c.t, layer.start, rate), drv)


def _reenacted(face: FaceState, c: FrameContext) -> FaceState:
    s, drv, dt = _driving(c, "reenact_face", ReenactSettings)
    if drv is None:
        return face
    d_t = drv.steady_face(dt)  # without the tracker's lag: the motion keeps time with the driving audio
    d_n = drv.steady_face(s.driving_neutral_frame)
    t_n = c.sources.target.face(s.target_neutral_frame, c.scale)
    if d_t is None or d_n is None or t_n is None:
        return face  # the driving face is missing at this frame: keep the target's own
    strength = c.params["reenact_face"].strength
    ranges = (c.sources.target.expression_range, drv.expression_range)
    return reenact_face(FacePair(face, t_n), FacePair(d_t, d_n), strength, s.channels, ranges)


def _transferred(body: BodyState, c: FrameContext) -> BodyState:
    _, drv, dt = _driving(c, "transfer_body", TransferSettings)
    target = c.sources.target
    if drv is None or drv.pose_stats is None or target.pose_stats is None:
        return body
    d = drv.smoothed_body(dt)  # paper: 7-frame median
    if d is None:
        return body
    j = normalize(d.joints[None], drv.pose_stats, target.pose_stats)[0]
    j[:, :3] *= c.scale
    strength = c.params["transfer_body"].strength
    mixed = (1 - strength) * body.joints + strength * j  # visibility too: the dancer's limbs are drawn
    return BodyState(mixed)


def _face_tracked(c: FrameContext) -> FaceState | None:
    if c.sources.target.neutral_head is None:
        return None  # face edits are relative to the clip's neutral head
    return c.sources.target.face(c.t, c.scale)


def _face_apply(face: FaceState, kinds: tuple[str, ...], c: FrameContext) -> FaceState:
    if kinds == ("reenact_face",):
        return _reenacted(face, c)
    return edit_face(face, c.sources.target.neutral_head, {k: c.params[k] for k in kinds})


def _body_apply(body: BodyState, kinds: tuple[str, ...], c: FrameContext) -> BodyState:
    if kinds == ("transfer_body",):
        return _transferred(body, c)
    return BodyState(apply_body_pose(body.joints, c.params["body_pose"]))


RESOLVERS = (
    PartResolver("face", (FACE_KINDS[:1], FACE_KINDS[1:]), _face_tracked, _face_apply),
    PartResolver(
        "body", (BODY_KINDS[:1], BODY_KINDS[1:]), lambda c: c.sources.target.body(c.t, c.scale), _body_apply
    ),
    # An image set's camera path carries the cameras; a video clip has none, so its viewpoint
    # keys resolve to no edit and the pipeline names them (`unrendered_kinds`).
    PartResolver(
        "camera",
        (CAMERA_KINDS,),
        lambda c: c.sources.camera(c.t),
        lambda state, kinds, c: apply_viewpoint(state, c.params["viewpoint"]),
    ),
)
CAMERA_RESOLVER = RESOLVERS[-1]


def _resolve_part(r: PartResolver, c: FrameContext) -> tuple[object | None, object | None]:
    tracked = r.tracked(c)
    if tracked is None:
        return None, None
    edited = tracked
    for stage in r.stages:
        active = tuple(k for k in stage if k in c.params)
        if active:
            edited = r.apply(edited, active, c)
    return tracked, (edited if edited is not tracked else None)


def resolve_frame(sources: EditSources, timeline: EditTimeline, t: int, scale: float = 1.0) -> EditedFrame:
    """Tracked and edited states at clip frame `t` (states scaled by `scale` for previews)."""
    c = FrameContext(t, sources, timeline, timeline.evaluate(t), scale)
    states: dict[str, object | None] = {}
    for r in RESOLVERS:
        states[r.part], states[f"{r.part}_edit"] = _resolve_part(r, c)
    driven = states["face_edit"] is not None and "reenact_face" in c.params
    return EditedFrame(**states, face_driven=driven)


def resolve_camera(
    sources: EditSources, timeline: EditTimeline, t: int
) -> tuple[CameraState | None, CameraState | None]:
    """Tracked and edited camera at frame `t` of an image set's path (no face or body)."""
    return _resolve_part(CAMERA_RESOLVER, FrameContext(t, sources, timeline, timeline.evaluate(t), 1.0))


def unrendered_kinds(timeline: EditTimeline, kinds: frozenset[str]) -> list[str]:
    """The edit kinds of the timeline's enabled, keyed layers that a renderer drawing `kinds`
    leaves unchanged, in timeline order."""
    out: list[str] = []
    for ly in timeline.layers:
        if ly.enabled and ly.keyframes and ly.kind not in kinds and ly.kind not in out:
            out.append(ly.kind)
    return out
