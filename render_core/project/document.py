"""The project document: clips, target and driving clips, trained models, the edit timeline;
for an image-set project (a capture, no clip) the camera path its frames follow instead.

Immutable (frozen dataclasses): the studio replaces the whole document on each change so its
undo stack can keep the old ones, and jobs get a snapshot nobody mutates.

Convention: clip, model and camera-path file paths are stored relative to the project folder
(`X.rfproj/`), POSIX separators; `folder` is where the document was loaded from (not serialized).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from render_core.edits.timeline import EditTimeline
from render_core.errors import InputError
from render_core.media.clip_info import ClipInfo

SCHEMA_VERSION = 2
PROJECT_SUFFIX = ".rfproj"
DOCUMENT_NAME = "project.json"


@dataclass(frozen=True)
class ClipRef:
    id: str
    path: str  # relative to the project folder
    content_hash: str
    info: ClipInfo | None = None

    def to_json(self) -> dict:
        return {"id": self.id, "path": self.path, "content_hash": self.content_hash,
                "info": self.info.to_json() if self.info else None}  # fmt: skip

    @staticmethod
    def from_json(d: dict) -> ClipRef:
        info = ClipInfo.from_json(d["info"]) if d.get("info") else None
        return ClipRef(str(d["id"]), str(d["path"]), str(d.get("content_hash", "")), info)


@dataclass(frozen=True)
class ModelRef:
    """A trained model: `path` to its checkpoint folder, relative to the project folder."""

    id: str
    family: str
    path: str
    preset: str = ""
    metrics: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_json(d: dict) -> ModelRef:
        return ModelRef(str(d["id"]), str(d["family"]), str(d["path"]), str(d.get("preset", "")),
                        {k: float(v) for k, v in d.get("metrics", {}).items()})  # fmt: skip


@dataclass(frozen=True)
class ExportSettings:
    """Output defaults for `render`/export. height None = the source size; crf: x264 quality."""

    codec: str = "libx264"
    crf: int = 18
    preset: str = "medium"
    height: int | None = None
    audio: bool = True

    def to_json(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_json(d: dict) -> ExportSettings:
        known = {k: d[k] for k in ("codec", "crf", "preset", "height", "audio") if k in d}
        return ExportSettings(**known)


ONE_CLICK_PATHS = ("orbit", "capture", "smooth")


@dataclass(frozen=True)
class CameraPathSettings:
    """The camera path an image-set project's frames follow: a one-click path (`ONE_CLICK_PATHS`)
    or a nerfstudio camera_path .json file (relative to the project folder), `frames` cameras
    (one-click orbit/smooth) `height` px tall at `fps`. Saved with the viewpoint keys so that
    `render FOLDER` draws the frames the studio showed them on."""

    path: str = "orbit"
    frames: int = 120
    height: int = 256
    fps: int = 30
    degrees: float = 360.0  # the orbit's swing
    constant_speed: bool = True  # "smooth": evenly spaced, else the capture's pace

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not (
            self.path in ONE_CLICK_PATHS or self.path.lower().endswith(".json")
        ):
            raise InputError(
                None, f"camera path {self.path!r} is neither {', '.join(ONE_CLICK_PATHS)} nor a .json file"
            )
        for name in ("frames", "height", "fps"):
            value = getattr(self, name)
            if type(value) is not int or value < 1:
                raise InputError(None, f"camera path '{name}' must be a positive whole number, not {value!r}")
        if type(self.constant_speed) is not bool:
            raise InputError(None, "camera path 'constant_speed' must be true or false")

    @property
    def is_file(self) -> bool:
        return self.path not in ONE_CLICK_PATHS

    def to_json(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_json(d: dict) -> CameraPathSettings:
        if not isinstance(d, dict):
            raise InputError(None, "'camera_path' must be an object")
        known = {k: d[k] for k in CameraPathSettings.__dataclass_fields__ if k in d}
        if "degrees" in known:
            known["degrees"] = float(known["degrees"])
        return CameraPathSettings(**known)


@dataclass(frozen=True)
class Project:
    name: str
    clips: tuple[ClipRef, ...] = ()
    target_clip: str | None = None
    driving_clips: tuple[str, ...] = ()
    models: tuple[ModelRef, ...] = ()
    renderer: str = "warp"
    timeline: EditTimeline = field(default_factory=EditTimeline)
    export: ExportSettings = field(default_factory=ExportSettings)
    camera_path: CameraPathSettings | None = None  # an image-set project's path; None for a clip's
    schema_version: int = SCHEMA_VERSION
    folder: Path | None = field(default=None, compare=False, repr=False)

    def clip(self, clip_id: str) -> ClipRef:
        for c in self.clips:
            if c.id == clip_id:
                return c
        raise InputError(None, f"project {self.name!r} has no clip {clip_id!r}")

    def target(self) -> ClipRef:
        if self.target_clip is None:
            raise InputError(None, f"project {self.name!r} has no target clip")
        return self.clip(self.target_clip)

    def clip_path(self, clip_id: str) -> Path:
        """Absolute path of a clip, resolved against the project folder."""
        rel = Path(self.clip(clip_id).path)
        return rel if rel.is_absolute() or self.folder is None else (self.folder / rel).resolve()

    def relative(self, path: str | Path) -> str:
        """How a file is referenced from this project (relative when it can be)."""
        if self.folder is None:
            return Path(path).as_posix()
        try:
            return Path(os.path.relpath(Path(path).resolve(), self.folder.resolve())).as_posix()
        except ValueError:  # another drive on Windows
            return Path(path).resolve().as_posix()

    def with_clip(self, clip: ClipRef, driving: bool = False) -> Project:
        clips = tuple(c for c in self.clips if c.id != clip.id) + (clip,)
        if driving:
            return replace(
                self, clips=clips, driving_clips=tuple(dict.fromkeys((*self.driving_clips, clip.id)))
            )
        return replace(self, clips=clips, target_clip=self.target_clip or clip.id)

    def with_model(self, model: ModelRef) -> Project:
        return replace(self, models=tuple(m for m in self.models if m.id != model.id) + (model,))

    def with_timeline(self, timeline: EditTimeline) -> Project:
        return replace(self, timeline=timeline)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "name": self.name,
            "clips": [c.to_json() for c in self.clips],
            "target_clip": self.target_clip,
            "driving_clips": list(self.driving_clips),
            "models": [m.to_json() for m in self.models],
            "renderer": self.renderer,
            "timeline": self.timeline.to_json(),
            "export": self.export.to_json(),
            "camera_path": self.camera_path.to_json() if self.camera_path is not None else None,
        }

    @staticmethod
    def from_json(d: dict[str, Any], folder: Path | None = None) -> Project:
        """Current-schema document -> Project; InputError(None, ...) on malformed content."""
        try:
            return Project(
                name=str(d["name"]),
                clips=tuple(ClipRef.from_json(c) for c in _objects(d, "clips")),
                target_clip=d.get("target_clip"),
                driving_clips=tuple(_list(d, "driving_clips")),
                models=tuple(ModelRef.from_json(m) for m in _objects(d, "models")),
                renderer=str(d.get("renderer", "warp")),
                timeline=EditTimeline.from_json(d.get("timeline", {"layers": []})),
                export=ExportSettings.from_json(d.get("export", {})),
                camera_path=_camera_path(d.get("camera_path")),
                schema_version=int(d["schema_version"]),
                folder=folder,
            )
        except InputError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise InputError(None, f"malformed project document ({e.__class__.__name__}: {e})") from None


def _camera_path(d: Any) -> CameraPathSettings | None:
    return None if d is None else CameraPathSettings.from_json(d)


def _list(d: dict[str, Any], key: str) -> list:
    """`d[key]` (default empty), refused unless it is a list: a string would iterate by letter."""
    value = d.get(key, [])
    if not isinstance(value, list):
        raise InputError(
            None, f"malformed project document ('{key}' must be a list, not {type(value).__name__})"
        )
    return value


def _objects(d: dict[str, Any], key: str) -> list[dict]:
    """`_list(d, key)` whose items are all JSON objects."""
    items = _list(d, key)
    if not all(isinstance(item, dict) for item in items):
        raise InputError(None, f"malformed project document ('{key}' must hold objects)")
    return items
