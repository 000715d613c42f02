"""Edit parameters: one frozen dataclass per edit kind, with units and bounds in field metadata.

The metadata (label, unit, min, max, step) is the single source the studio builds its sliders
from and the CLI validates `--set name=value` against. Every interpolated parameter is an
*offset* whose default 0 means "no change", so layers of one kind combine by weighted sums.

Convention: angles are degrees here (UI units); edit operations convert to radians.
Translations are in percent of the face size (the subject's outer-eye-corner span, about 9 cm
on an adult; see `face_ops.face_size`). "Left"/"right" are the subject's own sides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from enum import Enum
from typing import Any

from render_core.errors import InputError


class EditKind(str, Enum):
    EXPRESSION = "expression"
    HEAD_POSE = "head_pose"
    GAZE = "gaze"
    BODY_POSE = "body_pose"
    VIEWPOINT = "viewpoint"
    REENACT_FACE = "reenact_face"
    TRANSFER_BODY = "transfer_body"


def _p(label: str, lo: float, hi: float, unit: str = "", step: float = 0.01, default: float = 0.0) -> Any:
    """A float field with UI/CLI metadata."""
    return field(default=default, metadata={"label": label, "min": lo, "max": hi, "unit": unit, "step": step})


@dataclass(frozen=True)
class ExpressionParams:
    """Named face controls, each -1..1 (0 = as tracked). Defined in `face_ops`."""

    jaw_open: float = _p("Jaw open", -1.0, 1.0)
    smile: float = _p("Smile", -1.0, 1.0)
    brow_raise: float = _p("Brow raise", -1.0, 1.0)
    brow_furrow: float = _p("Brow furrow", -1.0, 1.0)
    blink_left: float = _p("Blink left", -1.0, 1.0)
    blink_right: float = _p("Blink right", -1.0, 1.0)
    mouth_wide: float = _p("Mouth wide", -1.0, 1.0)
    pucker: float = _p("Pucker", -1.0, 1.0)


@dataclass(frozen=True)
class HeadPoseParams:
    """Rotation offsets about the head's own centre and axes, and a camera-space translation.

    Angles add to the tracker's Euler angles: yaw > 0 turns the nose toward the subject's right
    (image left); pitch > 0 tilts the nose down;
    roll > 0 tilts the top of the head toward the subject's left shoulder. tx > 0 moves the
    head toward the image right, ty > 0 up in the image, tz > 0 toward the camera; all in % of
    the face size.
    """

    yaw: float = _p("Yaw", -45.0, 45.0, "deg", 0.5)
    pitch: float = _p("Pitch", -30.0, 30.0, "deg", 0.5)
    roll: float = _p("Roll", -30.0, 30.0, "deg", 0.5)
    tx: float = _p("Move right", -100.0, 100.0, "%", 1.0)
    ty: float = _p("Move up", -100.0, 100.0, "%", 1.0)
    tz: float = _p("Move closer", -50.0, 50.0, "%", 1.0)


@dataclass(frozen=True)
class GazeParams:
    """Eyeball rotation offsets: horizontal > 0 looks toward the subject's left, vertical > 0 up."""

    horizontal: float = _p("Look left/right", -35.0, 35.0, "deg", 0.5)
    vertical: float = _p("Look up/down", -25.0, 25.0, "deg", 0.5)


@dataclass(frozen=True)
class BodyPoseParams:
    """Per-joint rotation offsets in the image plane, degrees, mirrored between sides.

    For a left-side joint > 0 is counter-clockwise on screen, for a right-side joint clockwise,
    so equal values give a symmetric pose: +90 at a shoulder lifts a hanging arm sideways to
    horizontal for a subject facing the camera. neck > 0 tilts the head toward the subject's
    left shoulder (clockwise on screen for a subject facing the camera).
    """

    neck: float = _p("Neck", -60.0, 60.0, "deg", 1.0)
    left_shoulder: float = _p("Left shoulder", -180.0, 180.0, "deg", 1.0)
    right_shoulder: float = _p("Right shoulder", -180.0, 180.0, "deg", 1.0)
    left_elbow: float = _p("Left elbow", -160.0, 160.0, "deg", 1.0)
    right_elbow: float = _p("Right elbow", -160.0, 160.0, "deg", 1.0)
    left_wrist: float = _p("Left wrist", -90.0, 90.0, "deg", 1.0)
    right_wrist: float = _p("Right wrist", -90.0, 90.0, "deg", 1.0)
    left_hip: float = _p("Left hip", -120.0, 120.0, "deg", 1.0)
    right_hip: float = _p("Right hip", -120.0, 120.0, "deg", 1.0)
    left_knee: float = _p("Left knee", -150.0, 150.0, "deg", 1.0)
    right_knee: float = _p("Right knee", -150.0, 150.0, "deg", 1.0)
    left_ankle: float = _p("Left ankle", -60.0, 60.0, "deg", 1.0)
    right_ankle: float = _p("Right ankle", -60.0, 60.0, "deg", 1.0)


@dataclass(frozen=True)
class ViewpointParams:
    """A virtual camera about the subject's centre (novel-view family), added to the captured
    camera: orbit_yaw > 0 swings the camera to its right about the world's up axis (azimuth);
    orbit_pitch > 0 raises it over the subject (elevation); distance > 0 dollies away (% of the
    camera's distance to the centre); roll > 0 turns the image clockwise; fov > 0 widens the
    vertical field of view (deg, a zoom out). `edits.viewpoint_ops` applies them."""

    orbit_yaw: float = _p("Orbit yaw", -180.0, 180.0, "deg", 0.5)
    orbit_pitch: float = _p("Orbit pitch", -60.0, 60.0, "deg", 0.5)
    distance: float = _p("Distance", -50.0, 100.0, "%", 1.0)
    roll: float = _p("Roll", -45.0, 45.0, "deg", 0.5)
    fov: float = _p("Field of view", -30.0, 30.0, "deg", 0.5)


@dataclass(frozen=True)
class ReenactFaceParams:
    """How much of the driving face's relative motion replaces the target's (0..1).
    The driving clip, channels and neutral frames live in the layer's settings."""

    strength: float = _p("Strength", 0.0, 1.0)


@dataclass(frozen=True)
class TransferBodyParams:
    """How much of the driving body's (normalized) pose replaces the target's (0..1)."""

    strength: float = _p("Strength", 0.0, 1.0)


PARAMS: dict[str, type] = {
    EditKind.EXPRESSION.value: ExpressionParams,
    EditKind.HEAD_POSE.value: HeadPoseParams,
    EditKind.GAZE.value: GazeParams,
    EditKind.BODY_POSE.value: BodyPoseParams,
    EditKind.VIEWPOINT.value: ViewpointParams,
    EditKind.REENACT_FACE.value: ReenactFaceParams,
    EditKind.TRANSFER_BODY.value: TransferBodyParams,
}

# Kinds whose layers add up (offsets); the others take the topmost active layer.
ADDITIVE_KINDS = frozenset(
    k.value
    for k in (EditKind.EXPRESSION, EditKind.HEAD_POSE, EditKind.GAZE, EditKind.BODY_POSE, EditKind.VIEWPOINT)
)

# What each kind edits, in the order a frame's edits apply: a driven layer replaces the part's
# motion first, then the additive edits go on top.
FACE_KINDS = ("reenact_face", "expression", "head_pose", "gaze")
BODY_KINDS = ("transfer_body", "body_pose")
CAMERA_KINDS = ("viewpoint",)


@dataclass(frozen=True)
class ParamSpec:
    """One slider / CLI field."""

    name: str
    label: str
    unit: str
    min: float
    max: float
    step: float
    default: float


def params_class(kind: str) -> type:
    """The params dataclass of an edit kind; InputError for an unknown kind."""
    try:
        return PARAMS[kind.value if isinstance(kind, Enum) else kind]
    except KeyError:
        raise InputError(None, f"unknown edit kind {kind!r} (known: {', '.join(PARAMS)})") from None


def kind_name(kind: str | EditKind) -> str:
    """The plain string of a kind (enum or string); InputError for an unknown kind."""
    params_class(kind)
    return kind.value if isinstance(kind, Enum) else str(kind)


def param_specs(cls: type) -> list[ParamSpec]:
    return [
        ParamSpec(
            f.name,
            f.metadata["label"],
            f.metadata["unit"],
            f.metadata["min"],
            f.metadata["max"],
            f.metadata["step"],
            f.default,
        )
        for f in fields(cls)
    ]


def _number(name: str, value: Any) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(None, f"{name}={value!r} is not a number") from None
    if not math.isfinite(v):
        raise InputError(None, f"{name}={value!r} is not a finite number")
    return v


def validate(cls: type, values: dict[str, Any], base: Any = None) -> Any:
    """Build params from user values (numbers or numeric strings), over `base` (default: zeros).

    Raises InputError(None, "jaw_open=3 is out of range -1..1") for a value out of bounds and
    names the valid fields for an unknown name.
    """
    specs = {s.name: s for s in param_specs(cls)}
    out: dict[str, float] = {}
    for name, raw in values.items():
        if name not in specs:
            raise InputError(None, f"unknown {cls.__name__} field {name!r} (valid: {', '.join(specs)})")
        v, s = _number(name, raw), specs[name]
        if not s.min <= v <= s.max:
            raise InputError(None, f"{name}={raw} is out of range {s.min:g}..{s.max:g}")
        out[name] = v
    return replace(base if base is not None else cls(), **out)


def clamp(p: Any) -> Any:
    """Clip every field into its bounds (sums of layers may overshoot)."""
    return replace(p, **{s.name: min(max(getattr(p, s.name), s.min), s.max) for s in param_specs(type(p))})


def lerp(a: Any, b: Any, w: float) -> Any:
    """(1 - w) * a + w * b, field by field. a and b must be of one class."""
    if type(a) is not type(b):
        raise TypeError(f"cannot interpolate {type(a).__name__} with {type(b).__name__}")
    return replace(a, **{f.name: (1.0 - w) * getattr(a, f.name) + w * getattr(b, f.name) for f in fields(a)})


def add_scaled(a: Any, b: Any, w: float) -> Any:
    """a + w * b, field by field (how additive layers combine)."""
    return replace(a, **{f.name: getattr(a, f.name) + w * getattr(b, f.name) for f in fields(a)})


def scale(p: Any, w: float) -> Any:
    return replace(p, **{f.name: w * getattr(p, f.name) for f in fields(p)})


def is_zero(p: Any) -> bool:
    return all(getattr(p, f.name) == f.default for f in fields(p))


def to_json(p: Any) -> dict[str, float]:
    """Only the fields that differ from their default: compact and forward compatible."""
    return {f.name: float(getattr(p, f.name)) for f in fields(p) if getattr(p, f.name) != f.default}


def from_json(kind: str, d: dict[str, Any]) -> Any:
    """Inverse of `to_json`; values are validated against the bounds."""
    return validate(params_class(kind), d)
