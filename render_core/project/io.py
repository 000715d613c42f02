"""Project folders on disk: `X.rfproj/project.json` + `cache/` (tracks, renders) + `models/`;
an image-set project's folder holds its `captures/` too, and the same document once saved.

Saves are atomic (`io_atomic`: write `project.part.json`, fsync, `os.replace`), so a crash or
kill mid-save leaves the previous `project.json` intact. Loading migrates old schemas, resolves
relative paths against the folder and reports problems as one-line InputErrors.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from render_core.errors import InputError, file_system_error
from render_core.io_atomic import check_writable, write_text_atomic
from render_core.media.clip_info import ClipInfo
from render_core.media.hashing import content_hash
from render_core.media.probe import probe
from render_core.project.document import (
    DOCUMENT_NAME,
    PROJECT_SUFFIX,
    SCHEMA_VERSION,
    CameraPathSettings,
    ClipRef,
    Project,
)
from render_core.project.migrations import migrate

Probe = Callable[[Path], ClipInfo]


def project_file(path: str | Path) -> Path:
    """The JSON document of a project given its folder or the document itself."""
    p = Path(path)
    return p / DOCUMENT_NAME if p.is_dir() or p.suffix == PROJECT_SUFFIX else p


def project_folder(path: str | Path) -> Path:
    return project_file(path).parent


def autosave_path(path: str | Path) -> Path:
    """`project.autosave.json` beside the document."""
    doc = project_file(path)
    return doc.with_name(f"{doc.stem}.autosave.json")


LAYOUT = ("cache/tracks", "cache/renders", "cache", "models")  # a project folder's sub-folders


def ensure_layout(folder: Path) -> None:
    for sub in LAYOUT:
        (folder / sub).mkdir(parents=True, exist_ok=True)


def dumps(project: Project) -> str:
    return json.dumps(project.to_json(), indent=1, sort_keys=False) + "\n"


def rebased(project: Project, folder: Path) -> Project:
    """The project with its relative clip/model paths re-expressed from `folder` ("save as")."""
    if project.folder is None or project.folder.resolve() == folder.resolve():
        return replace(project, folder=folder)
    moved = replace(project, folder=folder)
    clips = tuple(replace(c, path=moved.relative(project.clip_path(c.id))) for c in project.clips)
    models = tuple(replace(m, path=moved.relative(project.folder / m.path)) for m in project.models)
    path = project.camera_path
    if path is not None and path.is_file:
        path = replace(path, path=moved.relative(project.folder / path.path))
    return replace(moved, clips=clips, models=models, camera_path=path)


def save_project(project: Project, path: str | Path) -> Project:
    """Write atomically and drop the now-stale autosave. Returns the project as saved (its
    folder set, relative paths rebased when saved somewhere new). Creates the folder layout."""
    doc = project_file(path)
    try:
        ensure_layout(doc.parent)
        saved = rebased(project, doc.parent.resolve())
        write_text_atomic(doc, dumps(saved))
    except OSError as exc:  # read-only, disk full: the previous document is intact
        raise (file_system_error(exc, doc) or exc) from None
    with contextlib.suppress(FileNotFoundError):
        autosave_path(doc).unlink()
    return saved


def read_document(doc: Path) -> dict:
    """Parse a project JSON file; InputError naming the file on any read or syntax problem."""
    try:
        text = doc.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(doc, "no such project") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(doc, f"cannot read project ({e.__class__.__name__})") from None
    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(doc, f"not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    if not isinstance(d, dict):
        raise InputError(doc, "not a project document (top level is not an object)")
    return d


def parse_project(d: dict, doc: Path) -> Project:
    """Migrate + build; problems are re-raised naming `doc`."""
    try:
        return Project.from_json(migrate(d, SCHEMA_VERSION), folder=doc.parent)
    except InputError as e:
        raise InputError(doc, e.problem) from None


def missing_clips(project: Project) -> list[str]:
    """'path (clip id)' for each clip whose file is absent."""
    return [f"{c.path} (clip {c.id})" for c in project.clips if not project.clip_path(c.id).exists()]


def check_clip_identity(project: Project) -> None:
    """InputError naming the first clip file whose content no longer matches the hash stored
    when it was added (replaced by another video, re-encoded, trimmed): its tracks, frame
    count and edits belong to the old file. Asked before an export, not at load, so the studio
    can still open the project to relink it. Three MiB read per clip (`media.hashing`)."""

    for clip in project.clips:
        path = project.clip_path(clip.id)
        if clip.content_hash and path.is_file() and content_hash(path) != clip.content_hash:
            raise InputError(
                path,
                f"has changed since it was added to the project as {clip.id} (its tracks and edits "
                "belong to the old file): put the original back, or start a project on the new one",
            )


def load_project(path: str | Path, check_clips: bool = True) -> Project:
    """Read, migrate and validate a project. check_clips: InputError listing missing clip files
    (the studio passes False to offer relinking instead)."""
    doc = project_file(path)
    project = parse_project(read_document(doc), doc)
    if check_clips and (missing := missing_clips(project)):
        raise InputError(doc, f"missing clip file(s): {', '.join(missing)}")
    return project


def load_image_set_document(folder: str | Path) -> Project:
    """An image-set project's edit document: its saved `project.json` (viewpoint keys, camera
    path, renderer), else a new one on the default path. InputError naming the file when the
    saved one cannot be read: the user's keys are never silently replaced by an empty document."""
    folder = Path(folder).resolve()
    doc = folder / DOCUMENT_NAME
    if not doc.exists():
        return Project(name=folder.stem, folder=folder, camera_path=CameraPathSettings())
    project = load_project(doc, check_clips=False)
    if project.target_clip is not None:
        raise InputError(doc, "is a clip project's document, not an image set's")
    return replace(project, folder=folder, camera_path=project.camera_path or CameraPathSettings())


def _default_probe(path: Path) -> ClipInfo:
    return probe(path)


def new_project(
    folder: str | Path, clip_path: str | Path, probe: Probe | None = None, name: str = ""
) -> Project:
    """Create `folder` (suffix .rfproj added if missing) with the clip as target; saved on disk."""
    folder = Path(folder)
    if folder.suffix != PROJECT_SUFFIX:
        folder = folder.with_name(folder.name + PROJECT_SUFFIX)
    if (folder / DOCUMENT_NAME).exists():
        raise InputError(folder, "a project already exists here")
    clip_path = Path(clip_path)
    if not clip_path.is_file():
        raise InputError(clip_path, "no such clip")
    info = (probe or _default_probe)(clip_path)
    check_writable(folder, folder=True)
    project = Project(name=name or folder.stem, folder=folder.resolve())
    ref = ClipRef("clip1", project.relative(clip_path), info.content_hash, info)
    with removed_on_failure(folder):
        return save_project(project.with_clip(ref), folder)


@contextlib.contextmanager
def removed_on_failure(folder: Path) -> Iterator[None]:
    """Remove what a failed project creation made (the layout skeleton, a temporary document),
    so a disk that fills up halfway leaves no half project behind. Only what did not exist
    before is removed: a folder the user made stays, with whatever it held."""
    made = [] if folder.exists() else [folder]
    made += [folder / sub for sub in LAYOUT if not (folder / sub).exists()]
    try:
        yield
    except BaseException:
        if folder in made:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for sub in sorted(made, key=lambda d: len(d.parts), reverse=True):
                with contextlib.suppress(OSError):
                    sub.rmdir()  # empty folders only
        raise
