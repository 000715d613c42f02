"""Non-interpolated settings of reenact / transfer layers, stored in `EditLayer.settings`.

Convention: a driving frame index is `frame - layer.start + offset` in the driving clip.
Neutral frames are the frames of each clip the user picked as "rest" for relative motion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from render_core.errors import InputError

FACE_CHANNELS = ("expression", "head_pose", "gaze")


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

    def driving_frame(self, frame: int, layer_start: int) -> int:
        return frame - layer_start + self.offset

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

    def driving_frame(self, frame: int, layer_start: int) -> int:
        return frame - layer_start + self.offset

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> TransferSettings:
        if not d.get("driving_clip"):
            raise InputError(None, "a transfer_body layer needs a driving clip")
        return TransferSettings(str(d["driving_clip"]), int(d.get("offset", 0)))
