"""Image-set projects in the studio: a capture (`captures/<name>/capture.json`, written by the
`capture` command) and, once trained, a novel-view model; no clip.

The studio shows such a project as a clip whose frames are the cameras of the one-click path
that `main.py render FOLDER -o out.mp4` renders (`render_core.render.camera_path`), so the
timeline, viewpoint layers, playback and the viewer work on it as on a clip. Qt-free: opened
on the I/O pool; the render core's path code (and torch with it) loads on first use, not
with the studio.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from render_core.errors import InputError
from render_core.media.clip_info import ClipInfo
from render_core.project.capture import CAPTURE_FILE, Capture, load_capture
from render_core.project.document import ModelRef, Project
from render_core.states import CameraState

if TYPE_CHECKING:
    from render_core.render.sources import EditSources

PATH_KIND = "orbit"  # what `render` draws by default, so preview and the CLI agree
PATH_FRAMES = 120
PATH_HEIGHT = 256
PATH_FPS = 30
IMAGE_SET_UNSAVED = (
    "an image-set project keeps no edit document yet: its viewpoint keys last until it is closed"
    " (File > Export renders them)"
)


@dataclass(frozen=True, eq=False)
class ImageSet:
    """An opened image set: its folder, the capture in use (the newest, as training and
    rendering take it) and the path's cameras, one per frame, `PATH_HEIGHT` px tall."""

    folder: Path
    capture_file: Path
    capture: Capture
    cameras: tuple[CameraState, ...]
    path: str = PATH_KIND

    @property
    def sources(self) -> EditSources:
        """What the core's camera resolver reads: the path, no clip."""
        from render_core.render.sources import EditSources

        return EditSources(None, cameras=self.cameras)


def image_set_folder(path: str | Path) -> Path | None:
    """The image-set project `path` names (its folder, or a capture.json inside it), else None."""
    from render_core.render.camera_path import is_image_set_project

    p = Path(path)
    if p.name == CAPTURE_FILE and p.is_file():
        p = p.parent.parent.parent  # <project>/captures/<name>/capture.json
    return p.resolve() if is_image_set_project(p) else None


def _model_ref(folder: Path) -> ModelRef | None:
    """The newest novel-view checkpoint of the folder as a project model, None before training."""
    from render_core.render.camera_path import newest_model
    from render_core.training import checkpoint as ckpt

    try:
        model = newest_model(folder)
    except InputError:
        return None
    meta = json.loads((ckpt.resolve(model) / ckpt.META_FILE).read_text())
    rel = model.relative_to(folder).as_posix()
    return ModelRef(model.name, "novel_view", rel, str(meta.get("preset", "")))


def path_info(image_set: ImageSet) -> ClipInfo:
    """The path as the clip the timeline and playback count frames of (no audio)."""
    w, h = image_set.cameras[0].size
    n = len(image_set.cameras)
    digest = hashlib.sha256(image_set.capture_file.read_bytes()).hexdigest()
    return ClipInfo(str(image_set.capture_file), f"path-{digest}", w, h, PATH_FPS, 1, n, n / PATH_FPS)


def load_image_set(folder: Path) -> tuple[Project, ClipInfo, ImageSet]:
    """(project with the newest novel-view model as its renderer, the path's frame info, the
    image set) of an image-set project folder; InputError naming the file when unreadable."""
    from render_core.render.camera_path import newest_capture, path_cameras

    capture_file = newest_capture(folder)
    capture = load_capture(capture_file)
    cameras = path_cameras(capture, PATH_FRAMES, PATH_HEIGHT, kind=PATH_KIND)
    image_set = ImageSet(folder, capture_file, capture, cameras)
    ref = _model_ref(folder)
    project = Project(name=folder.stem, folder=folder)
    if ref is not None:
        project = replace(project.with_model(ref), renderer=ref.id)
    return project, path_info(image_set), image_set


def image_set_note(image_set: ImageSet, renderer: str) -> str:
    """The status line on opening an image set: what the frames are and what draws them."""
    what = f"{len(image_set.capture)} views, a {len(image_set.cameras)}-frame {image_set.path} path"
    if renderer == "warp":
        return f"Image set: {what}; showing the nearest captured photos until a novel-view model is trained"
    return f"Image set: {what} drawn by {renderer}; drag in the viewer to orbit the camera"
