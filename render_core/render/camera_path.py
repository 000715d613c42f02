"""Rendering an image-set project: a camera path (one camera per output frame) through a
novel-view model, the timeline's viewpoint layers added to each camera, streamed into the
same writers as a clip's export.

An image-set project is a folder holding `captures/<name>/capture.json` (the `capture`
command) and `models/<family>-<preset>/` (a `train` of a family drawing viewpoint edits). Its
default path is the one-click "orbit 360" from the capture's first camera; "capture"
follows the captured cameras in order.

Convention: OpenCV cameras; frames float32 RGB [0, 1]; memory is one frame, whatever the
path's length.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from render_core.edits.timeline import EditTimeline
from render_core.edits.viewpoint_ops import orbit_path
from render_core.errors import InputError
from render_core.families.registry import load_renderer
from render_core.geometry.cameras import scale_intrinsics
from render_core.jobs import JobContext
from render_core.media.encode import VideoWriter
from render_core.project.capture import CAPTURE_FILE, Capture, load_capture
from render_core.render.frame_edits import resolve_camera
from render_core.render.sources import EditSources
from render_core.states import CameraState
from render_core.training import checkpoint as ckpt


@dataclass(frozen=True)
class PathRenderConfig:
    output: str
    frames: int = 120
    height: int = 256
    fps: int = 30
    degrees: float = 360.0
    path: str = "orbit"  # or "capture": follow the captured cameras
    crf: int = 18
    preset: str = "medium"
    device: str = "auto"


def is_image_set_project(folder: str | Path) -> bool:
    """A folder with a capture and no clip project document."""
    f = Path(folder)
    return f.is_dir() and not (f / "project.json").exists() and any(f.glob(f"captures/*/{CAPTURE_FILE}"))


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
    cap = newest_capture(folder)
    models = [p for p in folder.glob("models/*") if ckpt.resolve(p) is not None and _draws_viewpoints(p)]
    model = _newest(models)
    if cap is None or model is None:
        raise InputError(
            folder, "needs a capture and a trained novel-view model (capture, then train novel_view)"
        )
    return load_capture(cap), model


def _draws_viewpoints(path: Path) -> bool:
    try:
        meta = json.loads((ckpt.resolve(path) / ckpt.META_FILE).read_text())
    except (OSError, ValueError):
        return False
    return meta.get("family") == "novel_view"


def capture_camera(capture: Capture, i: int, height: int) -> CameraState:
    """Capture view i as a CameraState for frames `height` px tall (even width)."""
    w, h = capture.size
    width = int(round(w * height / h / 2)) * 2
    k = scale_intrinsics(capture.intrinsics[i], width / w, height / h)
    return CameraState(capture.world_to_camera[i], k, (width, height), capture.center, capture.up)


def path_cameras(
    capture: Capture, frames: int, height: int, degrees: float = 360.0, kind: str = "orbit"
) -> tuple[CameraState, ...]:
    """A one-click path at `height` px: "orbit" (`frames` cameras swinging `degrees` from the
    capture's first camera, constant speed) or "capture" (the captured cameras in order)."""
    if kind == "capture":
        return tuple(capture_camera(capture, i, height) for i in range(len(capture)))
    if kind != "orbit":
        raise InputError(None, f"unknown camera path {kind!r} (have: orbit, capture)")
    return tuple(orbit_path(capture_camera(capture, 0, height), frames, degrees))


def frame_at_size(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The model's image resized to the path's frame (w, h), clipped to [0, 1]."""
    if img.shape[1::-1] != tuple(size):
        img = cv2.resize(img, size, interpolation=cv2.INTER_LINEAR)
    return np.clip(img, 0.0, 1.0)


def render_path(renderer, cameras, timeline: EditTimeline, writer, ctx: JobContext) -> float:
    """Stream every camera of the path (viewpoint layers applied) into `writer`; returns ms/frame."""
    sources = EditSources(None, cameras=tuple(cameras))
    t0 = time.perf_counter()
    for t in range(len(cameras)):
        ctx.step(t, len(cameras), f"frame {t + 1}/{len(cameras)}")
        tracked, edited = resolve_camera(sources, timeline, t)
        writer.write(frame_at_size(renderer.render_camera(edited or tracked), cameras[t].size))
    return 1000 * (time.perf_counter() - t0) / max(len(cameras), 1)


def render_image_set(
    folder: str | Path, cfg: PathRenderConfig, ctx: JobContext, timeline: EditTimeline | None = None
) -> dict:
    """Render the project's camera path into `cfg.output` (MP4, atomic); returns a summary."""
    capture, model = project_parts(Path(folder))
    renderer = load_renderer("novel_view", model, cfg.device)
    cameras = path_cameras(capture, cfg.frames, cfg.height, cfg.degrees, cfg.path)
    w, h = cameras[0].size
    writer = VideoWriter(cfg.output, Fraction(cfg.fps), w, h, crf=cfg.crf, preset=cfg.preset)
    try:
        ms = render_path(renderer, cameras, timeline or EditTimeline(), writer, ctx)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return {
        "output": cfg.output,
        "frames": len(cameras),
        "size": [w, h],
        "model": str(model),
        "ms_per_frame": round(ms, 2),
    }
