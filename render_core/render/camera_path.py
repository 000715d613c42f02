"""Rendering an image-set project: a camera path (one camera per output frame) through a
novel-view model, the timeline's viewpoint layers added to each camera, streamed into the
same writers as a clip's export.

An image-set project is a folder holding `captures/<name>/capture.json` (the `capture`
command) and `models/<family>-<preset>/` (a `train` of a family drawing viewpoint edits). Its
default path is the one-click "orbit 360" from the capture's first camera; "capture"
follows the captured cameras in order; "smooth" follows them steadied (a shaky walk-around
made smooth, at constant speed unless told to keep the capture's pace). A nerfstudio
camera_path JSON (`nerfstudio_path`) gives any other path, in the capture's world frame, and
any path can be written as one. The project's saved document (`project.json`: the path in use
and the viewpoint keys, `load_image_set_document`) is what both the studio's File > Export and
`render FOLDER` draw, through `render_document`, so the two give the same frames.

Convention: OpenCV cameras; frames float32 RGB [0, 1]; memory is one frame, whatever the
path's length.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from render_core.edits.timeline import EditTimeline
from render_core.edits.viewpoint_ops import orbit_path, steady_path
from render_core.errors import InputError
from render_core.families.registry import load_renderer
from render_core.geometry.cameras import scale_intrinsics
from render_core.jobs import JobContext
from render_core.media.encode import VideoWriter
from render_core.project.capture import CAPTURE_FILE, Capture, load_capture
from render_core.project.document import DOCUMENT_NAME, ONE_CLICK_PATHS, CameraPathSettings, Project
from render_core.render.frame_edits import resolve_camera
from render_core.render.nerfstudio_path import read_camera_path, write_camera_path
from render_core.render.sources import EditSources
from render_core.states import CameraState
from render_core.training import checkpoint as ckpt

_DEFAULT_PATH = CameraPathSettings()


@dataclass(frozen=True)
class PathRenderConfig:
    """A path render: the path (defaults: a new image-set document's) and the encoding."""

    output: str
    frames: int = _DEFAULT_PATH.frames
    height: int = _DEFAULT_PATH.height
    fps: int = _DEFAULT_PATH.fps
    degrees: float = _DEFAULT_PATH.degrees
    path: str = _DEFAULT_PATH.path  # a name of ONE_CLICK_PATHS, or a nerfstudio camera_path .json file
    constant_speed: bool = True  # "smooth": evenly spaced along the path, else the capture's pace
    crf: int = 18
    preset: str = "medium"
    device: str = "auto"


def is_image_set_project(folder: str | Path) -> bool:
    """A folder with a capture whose document, if it has one, is not a clip project's. An
    unreadable document counts as the image set's, so that opening or rendering the folder
    reports that file's problem instead of taking the folder for a clip project."""
    f = Path(folder)
    if not (f.is_dir() and any(f.glob(f"captures/*/{CAPTURE_FILE}"))):
        return False
    try:
        d = json.loads((f / DOCUMENT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    return not (isinstance(d, dict) and (d.get("target_clip") or d.get("target")))


def image_set_folder(path: str | Path) -> Path | None:
    """The image-set project `path` names (its folder, its project.json or a capture.json in
    it), else None."""
    p = Path(path)
    if p.is_file() and p.name == CAPTURE_FILE:
        p = p.parent.parent.parent  # <project>/captures/<name>/capture.json
    elif p.is_file() and p.name == DOCUMENT_NAME:
        p = p.parent
    return p.resolve() if is_image_set_project(p) else None


def _newest(paths: list[Path]) -> Path | None:
    return max(paths, key=lambda p: p.stat().st_mtime) if paths else None


def newest_capture(folder: Path) -> Path:
    """The capture.json an image-set project's training and renders use (the newest)."""
    cap = _newest(list(Path(folder).glob(f"captures/*/{CAPTURE_FILE}")))
    if cap is None:
        raise InputError(folder, "has no capture (run capture first)")
    return cap


def project_parts(folder: Path) -> tuple[Capture, Path]:
    """The project's newest capture and newest novel-view checkpoint; InputError when missing."""
    return load_capture(newest_capture(folder)), newest_model(folder)


def newest_model(folder: Path) -> Path:
    """The project's newest novel-view checkpoint; InputError when it has none."""
    models = [p for p in folder.glob("models/*") if ckpt.resolve(p) is not None and _draws_viewpoints(p)]
    model = _newest(models)
    if model is None:
        raise InputError(
            folder, "needs a capture and a trained novel-view model (capture, then train novel_view)"
        )
    return model


def _draws_viewpoints(path: Path) -> bool:
    try:
        meta = json.loads((ckpt.resolve(path) / ckpt.META_FILE).read_text())
    except (OSError, ValueError):
        return False
    return meta.get("family") == "novel_view"


def at_height(cam: CameraState, height: int) -> CameraState:
    """The camera `cam` for frames `height` px tall and as wide as its aspect allows, rounded
    to an even width (what H.264's 4:2:0 needs); the same camera when already that size."""
    w, h = cam.size
    width = int(round(w * height / h / 2)) * 2
    if (width, height) == (w, h):
        return cam
    k = scale_intrinsics(cam.intrinsics, width / w, height / h)
    return replace(cam, intrinsics=k, size=(width, height))


def capture_camera(capture: Capture, i: int, height: int) -> CameraState:
    """Capture view i as a CameraState for frames `height` px tall (even width)."""
    cam = CameraState(
        capture.world_to_camera[i], capture.intrinsics[i], capture.size, capture.center, capture.up
    )
    return at_height(cam, height)


def path_cameras(
    capture: Capture,
    frames: int,
    height: int,
    degrees: float = 360.0,
    kind: str = "orbit",
    constant_speed: bool = True,
) -> tuple[CameraState, ...]:
    """A one-click path at `height` px: "orbit" (`frames` cameras swinging `degrees` from the
    capture's first camera, constant speed), "capture" (the captured cameras in order) or
    "smooth" (`frames` cameras along the captured ones steadied, `steady_path`)."""
    if kind == "capture":
        return tuple(capture_camera(capture, i, height) for i in range(len(capture)))
    if kind == "smooth":
        views = [capture_camera(capture, i, height) for i in range(len(capture))]
        return tuple(steady_path(views, frames, constant_speed=constant_speed))
    if kind != "orbit":
        raise InputError(None, f"unknown camera path {kind!r} (have: {', '.join(ONE_CLICK_PATHS)})")
    return tuple(orbit_path(capture_camera(capture, 0, height), frames, degrees))


def chosen_path(capture: Capture, cfg: PathRenderConfig) -> tuple[tuple[CameraState, ...], float]:
    """(cameras at `cfg.height`, frame rate) of the path `cfg` names: a one-click path at
    `cfg.fps`, or a camera_path file's cameras (in the capture's world frame, orbiting its
    centre) at the file's rate when it gives one."""
    if cfg.path in ONE_CLICK_PATHS:
        cams = path_cameras(capture, cfg.frames, cfg.height, cfg.degrees, cfg.path, cfg.constant_speed)
        return cams, float(cfg.fps)
    if Path(cfg.path).suffix.lower() != ".json":
        raise InputError(
            None, f"unknown camera path {cfg.path!r} (have: {', '.join(ONE_CLICK_PATHS)}, FILE.json)"
        )
    found = read_camera_path(cfg.path, capture.center, capture.up)
    return tuple(at_height(c, cfg.height) for c in found.cameras), found.fps or float(cfg.fps)


def frame_at_size(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The model's image resized to the path's frame (w, h), clipped to [0, 1]."""
    if img.shape[1::-1] != tuple(size):
        img = cv2.resize(img, size, interpolation=cv2.INTER_LINEAR)
    return np.clip(img, 0.0, 1.0)


def path_frame(
    renderer, sources: EditSources, timeline: EditTimeline, t: int, edits: bool = True
) -> np.ndarray:
    """Frame t of the path `sources.cameras` drawn by `renderer` at the path's frame size: from
    the camera the timeline's viewpoint layers move it to (`edits`), else the path's own. The
    one per-frame step of a path render, which the studio's preview shares with export."""
    tracked, edited = resolve_camera(sources, timeline, t) if edits else (sources.camera(t), None)
    if tracked is None:
        raise InputError(None, f"frame {t} is outside the camera path (0-{len(sources.cameras) - 1})")
    return frame_at_size(renderer.render_camera(edited or tracked), tracked.size)


def frame_rate(fps: float) -> Fraction:
    """A path's frame rate as the video writer and the studio's timeline count it (29.97 is
    30000/1001)."""
    return Fraction(fps).limit_denominator(1001)


@dataclass(frozen=True)
class PathPlan:
    """What a path render draws: the path's own cameras at `fps`, and the timeline whose
    viewpoint layers move them."""

    cameras: tuple[CameraState, ...]
    fps: float
    timeline: EditTimeline = field(default_factory=EditTimeline)

    @property
    def rate(self) -> Fraction:
        return frame_rate(self.fps)

    def drawn_cameras(self) -> list[CameraState]:
        """The camera each frame is drawn from: the path's, moved by the viewpoint layers."""
        sources = EditSources(None, cameras=self.cameras)
        resolved = (resolve_camera(sources, self.timeline, t) for t in range(len(self.cameras)))
        return [edited or tracked for tracked, edited in resolved]


def plan_path(folder: str | Path, cfg: PathRenderConfig, timeline: EditTimeline | None = None) -> PathPlan:
    """The plan of `cfg`'s path over the project's newest capture; InputError for a bad path file."""
    cameras, fps = chosen_path(load_capture(newest_capture(Path(folder))), cfg)
    return PathPlan(cameras, fps, timeline or EditTimeline())


def document_config(project: Project, output: str = "", **encoding) -> PathRenderConfig:
    """The render config of an image-set document's camera path (a path file found relative to
    the project folder), writing `output` with `encoding` (crf, preset, device)."""
    s = project.camera_path or CameraPathSettings()
    path = str(Path(project.folder or ".") / s.path) if s.is_file else s.path
    return PathRenderConfig(output, s.frames, s.height, s.fps, s.degrees, path, s.constant_speed, **encoding)


def document_model(project: Project) -> Path | None:
    """The checkpoint of the document's renderer when it is one of its models (None: the
    project's newest novel-view model draws)."""
    model = next((m for m in project.models if m.id == project.renderer), None)
    return None if model is None else Path(project.folder or ".") / model.path


def document_cameras(project: Project, cfg: PathRenderConfig) -> list[CameraState]:
    """The camera of every frame `render_document` draws, without a model."""
    return plan_path(project.folder, cfg, project.timeline).drawn_cameras()


def render_document(project: Project, cfg: PathRenderConfig, ctx: JobContext) -> dict:
    """Render an image-set document: `cfg`'s path (`document_config`) with the document's
    viewpoint layers, through its renderer's model. What the studio's File > Export and
    `render FOLDER` both run, so the two draw the same frames."""
    return render_image_set(project.folder, cfg, ctx, project.timeline, document_model(project))


def render_path(renderer, cameras, timeline: EditTimeline, writer, ctx: JobContext) -> float:
    """Stream every camera of the path (viewpoint layers applied) into `writer`; returns ms/frame."""
    sources = EditSources(None, cameras=tuple(cameras))
    t0 = time.perf_counter()
    for t in range(len(cameras)):
        ctx.step(t, len(cameras), f"frame {t + 1}/{len(cameras)}")
        writer.write(path_frame(renderer, sources, timeline, t))
    return 1000 * (time.perf_counter() - t0) / max(len(cameras), 1)


def render_image_set(
    folder: str | Path,
    cfg: PathRenderConfig,
    ctx: JobContext,
    timeline: EditTimeline | None = None,
    model: str | Path | None = None,
) -> dict:
    """Render the project's camera path into `cfg.output` (MP4, atomic) through the novel-view
    checkpoint `model` (default: the project's newest); returns a summary."""
    folder = Path(folder)
    plan = plan_path(folder, cfg, timeline)  # a bad path file stops here, before the model loads
    model = Path(model) if model is not None else newest_model(folder)
    renderer = load_renderer("novel_view", model, cfg.device)
    w, h = plan.cameras[0].size
    writer = VideoWriter(cfg.output, plan.rate, w, h, crf=cfg.crf, preset=cfg.preset)
    try:
        ms = render_path(renderer, plan.cameras, plan.timeline, writer, ctx)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return {
        "output": cfg.output,
        "frames": len(plan.cameras),
        "size": [w, h],
        "fps": float(plan.rate),
        "model": str(model),
        "ms_per_frame": round(ms, 2),
        **getattr(renderer, "report", dict)(),  # what the capture could not lend
    }


def export_camera_path(
    folder: str | Path, cfg: PathRenderConfig, timeline: EditTimeline | None = None
) -> dict:
    """Write the project's camera path (`cfg.path` at `cfg.height`) into `cfg.output` as a
    nerfstudio camera_path JSON, to edit or render elsewhere; needs a capture, not a model.
    The cameras are the ones a render draws: moved by `timeline`'s viewpoint keys, so the file
    holds the shot the user keyed. Returns a summary (with warnings where the file cannot hold
    a camera's intrinsics)."""
    plan = plan_path(folder, cfg, timeline)
    cameras = plan.drawn_cameras()
    warnings = write_camera_path(cameras, cfg.output, plan.fps)
    return {
        "output": cfg.output,
        "frames": len(cameras),
        "size": list(cameras[0].size),
        "fps": plan.fps,
        "path": cfg.path,
        "keyed": any(layer.kind == "viewpoint" for layer in plan.timeline.layers),
        **({"warnings": warnings} if warnings else {}),
    }
