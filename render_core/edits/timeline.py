"""The edit timeline: ordered layers, evaluated per frame into one params object per kind.

Layers of an additive kind (expression, head_pose, gaze, body_pose, viewpoint) sum their
interpolated params times their blend weight, then clip to the bounds. For reenact_face and
transfer_body the topmost active layer (last in order) wins, its strength times its weight.
Outside its frame range, disabled, or without keyframes a layer contributes nothing.
Immutable: every operation returns a new timeline (the studio's undo stack keeps old ones).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from render_core.edits import params as P
from render_core.edits.layer import EditLayer
from render_core.errors import InputError


@dataclass(frozen=True)
class EditTimeline:
    """`in_out`: the in and out marks (first and last frame, inclusive) a user set to work on
    part of the clip: the range the studio exports and loops by default. They decide nothing
    about any frame's edit, so they are not in `edit_hash`."""

    layers: tuple[EditLayer, ...] = field(default_factory=tuple)
    in_out: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))
        ids = [layer.id for layer in self.layers]
        if len(set(ids)) != len(ids):
            raise InputError(None, "edit timeline has duplicate layer ids")
        if self.in_out is not None:
            a, b = (int(x) for x in self.in_out)
            if not 0 <= a <= b:
                raise InputError(None, f"in/out marks must be 0 <= in <= out, not {a}, {b}")
            object.__setattr__(self, "in_out", (a, b))

    # -- structure ---------------------------------------------------------------------------
    def index(self, layer_id: str) -> int:
        for i, layer in enumerate(self.layers):
            if layer.id == layer_id:
                return i
        raise KeyError(f"no layer {layer_id!r}")

    def layer(self, layer_id: str) -> EditLayer:
        return self.layers[self.index(layer_id)]

    def add_layer(self, layer: EditLayer, index: int | None = None) -> EditTimeline:
        i = len(self.layers) if index is None else index
        return replace(self, layers=self.layers[:i] + (layer,) + self.layers[i:])

    def remove_layer(self, layer_id: str) -> EditTimeline:
        i = self.index(layer_id)
        return replace(self, layers=self.layers[:i] + self.layers[i + 1 :])

    def move_layer(self, layer_id: str, new_index: int) -> EditTimeline:
        layer = self.layer(layer_id)
        return self.remove_layer(layer_id).add_layer(layer, new_index)

    def replace_layer(self, layer: EditLayer) -> EditTimeline:
        i = self.index(layer.id)
        return replace(self, layers=self.layers[:i] + (layer,) + self.layers[i + 1 :])

    def update_layer(self, layer_id: str, **changes: Any) -> EditTimeline:
        return self.replace_layer(self.layer(layer_id).with_changes(**changes))

    def set_keyframe(self, layer_id: str, frame: int, params: Any) -> EditTimeline:
        return self.replace_layer(self.layer(layer_id).with_keyframe(frame, params))

    def remove_keyframe(self, layer_id: str, frame: int) -> EditTimeline:
        return self.replace_layer(self.layer(layer_id).without_keyframe(frame))

    def move_keyframe(self, layer_id: str, old: int, new: int) -> EditTimeline:
        return self.replace_layer(self.layer(layer_id).with_keyframe_moved(old, new))

    def shift_layer(self, layer_id: str, delta: int) -> EditTimeline:
        return self.replace_layer(self.layer(layer_id).shifted(delta))

    # -- in/out marks ------------------------------------------------------------------------
    def with_mark(self, which: str, frame: int, last: int) -> EditTimeline:
        """Set the in ("in") or out ("out") mark at `frame`; `last` is the clip's last frame.
        The other mark stays unless it would cross, as in video editors: an in after the out
        moves the out to the clip's end, an out before the in moves the in to its start."""
        a, b = self.in_out or (0, last)
        if which == "in":
            a, b = frame, (b if frame <= b else last)
        elif which == "out":
            a, b = (a if a <= frame else 0), frame
        else:
            raise ValueError(f"mark must be 'in' or 'out', not {which!r}")
        return replace(self, in_out=(a, b))

    def without_marks(self) -> EditTimeline:
        return replace(self, in_out=None)

    def marked_range(self, frame_count: int) -> tuple[int, int]:
        """[start, stop) the marks select, clipped to the clip; the whole clip without marks."""
        if self.in_out is None:
            return 0, frame_count
        a, b = self.in_out
        start = min(a, max(0, frame_count - 1))
        return start, max(start + 1, min(b + 1, frame_count))

    # -- evaluation --------------------------------------------------------------------------
    def active_layers(self, frame: int) -> list[EditLayer]:
        return [layer for layer in self.layers if layer.value_at(frame) is not None]

    def evaluate(self, frame: int) -> dict[str, Any]:
        """{kind: resolved params} for the kinds with an active layer at `frame`."""
        out: dict[str, Any] = {}
        for layer in self.active_layers(frame):
            value = layer.value_at(frame)
            if layer.kind in P.ADDITIVE_KINDS:
                base = out.get(layer.kind, layer.params_class())
                out[layer.kind] = P.add_scaled(base, value, layer.weight)
            else:
                out[layer.kind] = P.scale(value, layer.weight)
        return {k: P.clamp(v) for k, v in out.items()}

    def settings(self, frame: int, kind: str) -> Mapping[str, Any] | None:
        """Settings of the layer that decides a non-additive kind at `frame` (topmost active)."""
        kind = P.kind_name(kind)
        layers = [layer for layer in self.active_layers(frame) if layer.kind == kind]
        return layers[-1].settings if layers else None

    def edited_ranges(self) -> list[tuple[int, int]]:
        """Merged inclusive frame ranges where some enabled layer with keyframes acts."""
        spans = sorted((ly.start, ly.end) for ly in self.layers if ly.enabled and ly.keyframes)
        merged: list[tuple[int, int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        return merged

    def is_edited(self, frame: int) -> bool:
        return any(a <= frame <= b for a, b in self.edited_ranges())

    # -- persistence -------------------------------------------------------------------------
    def to_json(self) -> dict:
        d: dict[str, Any] = {"layers": [layer.to_json() for layer in self.layers]}
        if self.in_out is not None:
            d["in_out"] = list(self.in_out)
        return d

    @staticmethod
    def from_json(d: dict) -> EditTimeline:
        if not isinstance(d, dict) or not isinstance(d.get("layers", []), list):
            raise InputError(None, "edit timeline must be an object with a 'layers' list")
        marks = d.get("in_out")
        if marks is not None and not (
            isinstance(marks, list) and len(marks) == 2 and all(type(x) is int for x in marks)
        ):
            raise InputError(None, "edit timeline 'in_out' must be [in, out] frame numbers")
        layers = tuple(EditLayer.from_json(x) for x in d.get("layers", []))
        return EditTimeline(layers, None if marks is None else tuple(marks))


def edit_hash(timeline: EditTimeline, frame: int) -> str:
    """A stable key of everything the timeline decides for `frame` (the render cache key).

    It hashes the resolved params (rounded to 1e-6) and the deciding layers' settings, so it
    changes exactly when the edited output of this frame can change; unedited frames all share
    the hash of `{}`.
    """
    resolved = {
        k: {n: round(v, 6) for n, v in P.to_json(p).items()} for k, p in timeline.evaluate(frame).items()
    }
    for kind in P.PARAMS:
        if kind not in P.ADDITIVE_KINDS and kind in resolved:
            resolved[kind]["settings"] = dict(timeline.settings(frame, kind) or {})
    blob = json.dumps(resolved, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]
