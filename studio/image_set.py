"""Image-set projects in the studio: a capture (`captures/<name>/capture.json`, written by the
`capture` command), once trained a novel-view model, and once saved an edit document
(`project.json`: the camera path in use and the viewpoint keys); no clip.

The studio shows such a project as a clip whose frames are the cameras of the document's path,
the one `main.py render FOLDER -o out.mp4` renders (`render_core.render.camera_path`), so the
timeline, viewpoint layers, playback, the viewer and Save work on it as on a clip. Qt-free:
opened on the I/O pool; the render core's path code (and torch with it) loads on first use,
not with the studio.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from render_core.errors import InputError
from render_core.media.clip_info import ClipInfo
from render_core.project.capture import Capture, load_capture
from render_core.project.document import CameraPathSettings, ModelRef, Project
from render_core.states import CameraState

if TYPE_CHECKING:
    from render_core.render.sources import EditSources

PATH_FRAMES = CameraPathSettings.frames  # a new document's path, as `render` draws it by default
PATH_HEIGHT = CameraPathSettings.height


@dataclass(frozen=True, eq=False)
class ImageSet:
    """An opened image set: its folder, the capture in use (the newest, as training and
    rendering take it) and the cameras of the document's path, one per frame, at `fps`."""

    folder: Path
    capture_file: Path
    capture: Capture
    cameras: tuple[CameraState, ...]
    fps: float
    settings: CameraPathSettings = CameraPathSettings()

    @property
    def path(self) -> str:
        """The path's short name: a one-click path's, or its file's stem."""
        return Path(self.settings.path).stem if self.settings.is_file else self.settings.path

    @property
    def sources(self) -> EditSources:
        """What the core's camera resolver reads: the path, no clip."""
        from render_core.render.sources import EditSources

        return EditSources(None, cameras=self.cameras)


def image_set_folder(path: str | Path) -> Path | None:
    """The image-set project `path` names (its folder, its project.json or a capture.json
    inside it), else None."""
    from render_core.render.camera_path import image_set_folder as core_folder

    return core_folder(path)


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


def with_models(project: Project, folder: Path) -> Project:
    """The document with the folder's newest novel-view model among its models, drawing when the
    document's own renderer cannot (the photo stand-in, or a model since deleted)."""
    from render_core.training import checkpoint as ckpt

    ref = _model_ref(folder)
    if ref is not None:
        project = project.with_model(ref)
    usable = {m.id for m in project.models if ckpt.resolve(folder / m.path) is not None}
    if project.renderer in usable:
        return project
    return replace(project, renderer=ref.id if ref is not None else "warp")


def path_info(image_set: ImageSet) -> ClipInfo:
    """The path as the clip the timeline and playback count frames of (no audio); its identity
    changes with the capture and with the path."""
    from render_core.render.camera_path import frame_rate

    w, h = image_set.cameras[0].size
    n = len(image_set.cameras)
    rate = frame_rate(image_set.fps)
    digest = hashlib.sha256(image_set.capture_file.read_bytes())
    digest.update(json.dumps(image_set.settings.to_json(), sort_keys=True).encode())
    num, den = rate.numerator, rate.denominator
    key = f"path-{digest.hexdigest()}"
    return ClipInfo(str(image_set.capture_file), key, w, h, num, den, n, n * den / num)


def open_image_set(folder: Path, project: Project) -> tuple[Project, ClipInfo, ImageSet]:
    """(the document with the folder's models, the path's frame info, the image set) of an
    image-set folder shown with `project` (saved, new or recovered); InputError naming the
    file when the capture or the path file is unreadable."""
    from render_core.render.camera_path import chosen_path, document_config, newest_capture

    project = with_models(replace(project, folder=folder), folder)
    capture_file = newest_capture(folder)
    capture = load_capture(capture_file)
    cameras, fps = chosen_path(capture, document_config(project))  # what `render` draws
    settings = project.camera_path or CameraPathSettings()
    image_set = ImageSet(folder, capture_file, capture, cameras, fps, settings)
    return project, path_info(image_set), image_set


def load_image_set(folder: Path) -> tuple[Project, ClipInfo, ImageSet]:
    """`open_image_set` of the folder's saved document (a new one before the first save)."""
    from render_core.project.io import load_image_set_document

    return open_image_set(folder, load_image_set_document(folder))


def image_set_note(image_set: ImageSet, renderer: str) -> str:
    """The status line on opening an image set: what the frames are and what draws them."""
    what = f"{len(image_set.capture)} views, a {len(image_set.cameras)}-frame {image_set.path} path"
    if renderer == "warp":
        return f"Image set: {what}; showing the nearest captured photos until a novel-view model is trained"
    return f"Image set: {what} drawn by {renderer}; drag in the viewer to orbit the camera"


def on_path(image_set: ImageSet, project: Project) -> tuple[ClipInfo, ImageSet]:
    """(frame info, image set) of the same capture on the document's path, the frames
    reopening the saved document would show; InputError naming a bad path file."""
    from render_core.render.camera_path import chosen_path, document_config

    cameras, fps = chosen_path(image_set.capture, document_config(project))
    settings = project.camera_path or CameraPathSettings()
    moved = replace(image_set, cameras=cameras, fps=fps, settings=settings)
    return path_info(moved), moved
