"""`ClipInfo`: what a clip is, read once by `probe`, stored in projects and tracks caches."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class AudioInfo:
    codec: str
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class ClipInfo:
    """A video clip's identity and geometry.

    Frame index is the unit of time everywhere; `timestamps` (seconds, one per frame, in
    presentation order) are kept for variable-frame-rate clips and for I/O edges.
    `width`/`height` are of the decoded frames *after* applying `rotation` (degrees clockwise
    from the container's display matrix), which is what the user sees.
    """

    path: str
    content_hash: str
    width: int
    height: int
    fps_num: int
    fps_den: int
    frame_count: int
    duration: float
    rotation: int = 0
    audio: AudioInfo | None = None
    is_vfr: bool = False
    timestamps: tuple[float, ...] = field(default=(), repr=False)

    @property
    def fps(self) -> Fraction:
        return Fraction(self.fps_num, self.fps_den)

    @property
    def has_audio(self) -> bool:
        return self.audio is not None

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("timestamps")
        return d

    @staticmethod
    def from_json(d: dict) -> ClipInfo:
        d = dict(d)
        audio = d.pop("audio", None)
        d.pop("timestamps", None)
        return ClipInfo(**d, audio=AudioInfo(**audio) if audio else None)
