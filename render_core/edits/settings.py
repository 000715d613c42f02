"""Non-interpolated settings of reenact / transfer layers, stored in `EditLayer.settings`.

Convention: at output frame `frame` a layer shows the driving clip's frame the same time into
the layer, counted from its frame `offset`: `offset + round((frame - layer.start) * rate)` with
rate = driving fps / output fps (1 when the output follows the driving clip's timebase). Why by
time: a 25 fps performance laid under a 30 fps clip would otherwise play 20% fast and drift a
second from its own sound within six seconds. Neutral frames are the frames of each clip the
user picked as "rest" for relative motion.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from render_core.errors import InputError

FACE_CHANNELS = ("expression", "head_pose", "gaze")
DRIVEN_KINDS = ("reenact_face", "transfer_body")  # layer kinds that play a driving clip


def undriven_layers(layers) -> list:
    """Enabled reenact / transfer layers with keyframes but no driving clip chosen yet: they
    leave their frames unedited (a preview shows the footage), and an export refuses them,
    since the file would silently lack the performance the user set up."""
    return [
        ly
        for ly in layers
        if ly.kind in DRIVEN_KINDS and ly.enabled and ly.keyframes and not ly.settings.get("driving_clip")
    ]


def driving_frame_at(frame, layer_start: int, offset: int, rate: float = 1.0):
    """The driving frame shown at output `frame` (see the module's convention); `frame` may be
    an int or an int array (the timeline draws a whole layer's driving audio at once)."""
    d = offset + np.floor((np.asarray(frame) - layer_start) * rate + 0.5).astype(np.int64)
    return int(d) if d.ndim == 0 else d


def last_driven_frame(layer_start: int, offset: int, driving_frames: int, rate: float = 1.0) -> int:
    """The last output frame that still shows a frame of the driving clip (later ones would hold
    its last frame): the largest k with offset + round(k * rate) <= driving_frames - 1, plus
    `layer_start`. One before `layer_start` when the offset is past the clip's end."""
    m = driving_frames - 1 - offset
    if m < 0:
        return layer_start - 1
    return layer_start + math.ceil((m + 0.5) / rate) - 1


@dataclass(frozen=True)
class ReenactSettings:
    driving_clip: str
    channels: tuple[str, ...] = FACE_CHANNELS
    target_neutral_frame: int = 0
    driving_neutral_frame: int = 0
    offset: int = 0

    def __post_init__(self) -> None:
        bad = [c for c in self.channels if c not in FACE_CHANNELS]
        if bad or not self.channels:
            raise InputError(
                None, f"reenact channels {list(self.channels)} invalid (choose from {FACE_CHANNELS})"
            )
        object.__setattr__(self, "channels", tuple(self.channels))

    def driving_frame(self, frame: int, layer_start: int, rate: float = 1.0) -> int:
        return driving_frame_at(frame, layer_start, self.offset, rate)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["channels"] = list(self.channels)
        return d

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> ReenactSettings:
        if not d.get("driving_clip"):
            raise InputError(None, "a reenact_face layer needs a driving clip")
        return ReenactSettings(
            str(d["driving_clip"]),
            tuple(d.get("channels", FACE_CHANNELS)),
            int(d.get("target_neutral_frame", 0)),
            int(d.get("driving_neutral_frame", 0)),
            int(d.get("offset", 0)),
        )


@dataclass(frozen=True)
class TransferSettings:
    driving_clip: str
    offset: int = 0

    def driving_frame(self, frame: int, layer_start: int, rate: float = 1.0) -> int:
        return driving_frame_at(frame, layer_start, self.offset, rate)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> TransferSettings:
        if not d.get("driving_clip"):
            raise InputError(None, "a transfer_body layer needs a driving clip")
        return TransferSettings(str(d["driving_clip"]), int(d.get("offset", 0)))
