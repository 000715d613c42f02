"""One edit layer: a kind, a frame range, keyframed params, interpolation and a blend weight.

Immutable: every change returns a new layer, so the studio's undo stack can keep old ones.
`settings` holds what is not interpolated (e.g. a reenact layer's driving clip and channels);
see `edits.settings` for the keys each kind understands.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from render_core.edits import params as P
from render_core.edits.keyframes import Interpolation, interpolate
from render_core.errors import InputError


def new_layer_id() -> str:
    return uuid.uuid4().hex[:12]


def _frozen(d: Mapping) -> Mapping:
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class EditLayer:
    """start/end: inclusive frame range where the layer acts. weight: 0..1 blend weight.
    keyframes: {frame: params of the layer's kind}, read-only mapping sorted by frame."""

    kind: str
    start: int
    end: int
    keyframes: Mapping[int, Any] = field(default_factory=dict)
    interpolation: Interpolation = Interpolation.SMOOTH
    weight: float = 1.0
    enabled: bool = True
    name: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=new_layer_id)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", P.kind_name(self.kind))
        cls = P.PARAMS[self.kind]
        if self.end < self.start:
            raise InputError(None, f"layer {self.name or self.id}: end frame {self.end} < start {self.start}")
        if not 0.0 <= self.weight <= 1.0:
            raise InputError(None, f"layer {self.name or self.id}: weight {self.weight} is out of range 0..1")
        for f, p in self.keyframes.items():
            if not isinstance(p, cls):
                raise TypeError(f"keyframe {f} of a {self.kind} layer holds {type(p).__name__}")
        object.__setattr__(self, "interpolation", Interpolation(self.interpolation))
        object.__setattr__(
            self, "keyframes", _frozen({int(f): self.keyframes[f] for f in sorted(self.keyframes)})
        )
        object.__setattr__(self, "settings", _frozen(self.settings))
        if not self.name:
            object.__setattr__(self, "name", self.kind.replace("_", " "))

    @property
    def params_class(self) -> type:
        return P.PARAMS[self.kind]

    def covers(self, frame: int) -> bool:
        return self.start <= frame <= self.end

    def value_at(self, frame: int) -> Any | None:
        """Interpolated params at `frame` before the blend weight, None where inactive."""
        if not (self.enabled and self.keyframes and self.covers(frame)):
            return None
        return interpolate(self.keyframes, frame, self.interpolation)

    def keyed_at(self, frame: int) -> Any:
        """The params the keyframes give at `frame` whatever the enable flag (what an editor
        shows and edits: a disabled layer keeps its keys); defaults where none apply."""
        if frame in self.keyframes:
            return self.keyframes[frame]
        if self.keyframes and self.covers(frame):
            return interpolate(self.keyframes, frame, self.interpolation)
        return self.params_class()

    def with_changes(self, **changes: Any) -> EditLayer:
        return replace(self, **changes)

    def with_keyframe(self, frame: int, params: Any) -> EditLayer:
        return replace(self, keyframes={**self.keyframes, int(frame): params})

    def without_keyframe(self, frame: int) -> EditLayer:
        if frame not in self.keyframes:
            raise KeyError(f"no keyframe at frame {frame}")
        return replace(self, keyframes={f: p for f, p in self.keyframes.items() if f != frame})

    def with_keyframe_moved(self, old: int, new: int) -> EditLayer:
        """Move a keyframe; one already at `new` is replaced (what a drag onto it means)."""
        if old not in self.keyframes:
            raise KeyError(f"no keyframe at frame {old}")
        kept = {f: p for f, p in self.keyframes.items() if f not in (old, new)}
        return replace(self, keyframes={**kept, int(new): self.keyframes[old]})

    def trimmed(self, part: str, frame: int) -> EditLayer:
        """The layer's "start" or "end" moved to `frame`, never past the other end (a layer
        keeps at least one frame)."""
        if part == "start":
            return replace(self, start=min(int(frame), self.end))
        if part == "end":
            return replace(self, end=max(int(frame), self.start))
        raise ValueError(f"part must be 'start' or 'end', not {part!r}")

    def shifted(self, delta: int) -> EditLayer:
        """The layer moved `delta` frames in time with its keyframes (never to before frame 0).
        A driven layer's performance moves with it: its driving frames count from `start`."""
        delta = max(int(delta), -self.start)
        keys = {f + delta: p for f, p in self.keyframes.items()}
        return replace(self, start=self.start + delta, end=self.end + delta, keyframes=keys)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "start": self.start,
            "end": self.end,
            "enabled": self.enabled,
            "interpolation": self.interpolation.value,
            "weight": self.weight,
            "keyframes": [{"frame": f, "params": P.to_json(p)} for f, p in self.keyframes.items()],
            "settings": dict(self.settings),
        }

    @staticmethod
    def from_json(d: dict) -> EditLayer:
        """Inverse of `to_json`; InputError(None, ...) naming the layer on bad content."""
        where = f"layer {d.get('name') or d.get('id') or '?'}"
        try:
            kind = str(d["kind"])
            kfs = {int(k["frame"]): P.from_json(kind, k.get("params", {})) for k in d.get("keyframes", [])}
            return EditLayer(
                kind=kind,
                start=int(d["start"]),
                end=int(d["end"]),
                keyframes=kfs,
                interpolation=Interpolation(d.get("interpolation", "smooth")),
                weight=float(d.get("weight", 1.0)),
                enabled=bool(d.get("enabled", True)),
                name=str(d.get("name", "")),
                settings=dict(d.get("settings", {})),
                id=str(d.get("id") or new_layer_id()),
            )
        except InputError as e:
            raise InputError(None, f"{where}: {e.problem}") from None
        except (KeyError, TypeError, ValueError) as e:
            raise InputError(None, f"{where}: malformed ({e.__class__.__name__}: {e})") from None
