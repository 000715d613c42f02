"""A capture from a walk-around video: the sharpest frames, their cameras by structure from
motion (`project.sfm`), and the scene box from the reconstructed points, written into a
project like an image set's capture.

Why the frames that got no camera are dropped: the novel-view family trains on posed views
only; the share that got one is reported, and under `min_registered` the video is refused
with one line (a blank, static or blurred clip gives no usable cameras).

Convention: as `project.capture` (OpenCV cameras, intrinsics in the stored frames' pixels).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from render_core.errors import InputError
from render_core.geometry import cameras as cam
from render_core.jobs import JobContext
from render_core.project.capture import BOX_MARGIN, Capture, _finish, save_capture
from render_core.project.frame_sampling import SampledFrames, SamplingConfig, sample_frames
from render_core.project.sfm import SfmConfig, SfmResult
from render_core.project.sfm_process import recover_cameras_apart

NOT_VIDEO_SUFFIXES = (".json", ".npy")  # files `capture` reads as image sets' cameras
FRONT_SHARE = 0.95  # a point of the subject is in front of (nearly) every camera
MIN_BOX_POINTS = 20  # fewer points in front of every camera: the box comes from the bounds
BOX_PERCENTILE = 90.0  # share of those points the box's radius covers (before the margin)


@dataclass(frozen=True)
class VideoCaptureConfig:
    """min_registered: the least share of sampled frames that must get a camera."""

    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    sfm: SfmConfig = field(default_factory=SfmConfig)
    min_registered: float = 0.4


@dataclass(frozen=True)
class VideoCapture:
    """capture: the saved capture (registered frames only); sampled: frames taken from the
    clip; registered: the share of them that got a camera; frame_indices: the clip frame of
    each capture image; warnings: what the user should know about a capture that succeeded."""

    capture: Capture
    sampled: int
    registered: float
    frame_indices: tuple[int, ...]
    reprojection_error: float
    warnings: tuple[str, ...] = ()


def is_video_source(path: str | Path) -> bool:
    """Whether `capture` reads `path` as a video (any file but an image set's cameras file)."""
    p = Path(path)
    return p.is_file() and p.suffix.lower() not in NOT_VIDEO_SUFFIXES


def scene_box(c2w: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Centre (3,) and radius of the subject from the SfM points in front of (nearly) every
    camera (a walk-around's background is behind many of them): the centre is where the
    cameras look (the median of those points when the cameras do not converge), the radius
    covers `BOX_PERCENTILE`% of the points. None when too few points qualify.
    c2w: (N, 4, 4) OpenCV; points: (P, 3)."""
    w2c = cam.invert_rigid(c2w)
    seen_from = np.zeros(len(points), int)
    for m in w2c:  # a loop over cameras keeps memory at one depth per point
        seen_from += points @ m[2, :3] + m[2, 3] > 0
    front = points[seen_from >= FRONT_SHARE * len(w2c)]
    if len(front) < MIN_BOX_POINTS:
        return None
    center = cam.closest_point_to_axes(c2w)
    in_front = (w2c[:, :3, :3] @ center + w2c[:, :3, 3])[:, 2] > 0
    if not in_front.all():
        center = np.median(front, axis=0)
    radius = float(np.percentile(np.linalg.norm(front - center, axis=1), BOX_PERCENTILE))
    return center, radius


def capture_from_sfm(images: list[Path], sfm: SfmResult, size: tuple[int, int], source: str) -> Capture:
    """The Capture of the registered frames `images` (one per camera of `sfm`)."""
    c2w = cam.invert_rigid(sfm.world_to_camera)
    k = np.repeat(sfm.intrinsics[None], len(images), axis=0)
    bounds = sfm.bounds.copy()
    missing = ~np.isfinite(bounds).all(axis=1)
    if missing.all():
        bounds = None
    elif missing.any():
        bounds[missing] = np.median(bounds[~missing], axis=0)
    capture = _finish(images, None, c2w, k, size, bounds, source)
    box = scene_box(c2w, sfm.points)
    if box is None:
        return capture
    return replace(capture, center=box[0], radius=box[1] * BOX_MARGIN)


def _install_images(kept: list[Path], dest: Path, work: Path) -> list[Path]:
    """Move the kept frames into `dest` (replacing a previous capture's frames) by renames
    within the capture folder; returns their new paths."""
    staged = work / "kept"
    staged.mkdir()
    for p in kept:
        os.replace(p, staged / p.name)
    if dest.exists():
        os.replace(dest, work / "previous")
    os.replace(staged, dest)
    return [dest / p.name for p in kept]


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders this capture made (deepest first) while they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def _registration_check(video: Path, sampled: SampledFrames, sfm: SfmResult | None, least: float) -> float:
    """The share of frames that got a camera; InputError when it is under `least`."""
    n = len(sampled.paths)
    share = 0.0 if sfm is None else len(sfm.registered) / n
    if share < least:
        raise InputError(
            video,
            f"only {share:.0%} of {n} frames got a camera (needs {least:.0%}): film the subject from"
            " all around, moving slowly, with its surface and surroundings in sharp focus",
        )
    return share


WORK_PREFIX = ".sfm-"
OWNER_FILE = "owner.pid"  # the process working in the folder


def remove_stale_work(folder: Path) -> list[Path]:
    """Remove COLMAP work folders in `folder` whose process is gone (a capture killed hard
    leaves its database and frames, hundreds of MB); returns those removed. A folder whose
    process still runs (another capture into the same project) is left alone."""
    removed = []
    for work in folder.glob(WORK_PREFIX + "*"):
        try:
            pid = int((work / OWNER_FILE).read_text())
        except (OSError, ValueError):
            pid = None
        if pid is not None and pid != os.getpid() and _alive(pid):
            continue
        shutil.rmtree(work, ignore_errors=True)
        removed.append(work)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def capture_video(
    video: str | Path, out: str | Path, ctx: JobContext, cfg: VideoCaptureConfig | None = None
) -> VideoCapture:
    """Recover the cameras of `video` and save the capture as `out` (a capture.json), its frames
    in `images/` beside it. COLMAP works in a temporary folder there, removed afterwards.
    InputError naming the video when it is unreadable, too short or too few frames got a camera."""
    cfg = cfg or VideoCaptureConfig()
    video, out = Path(video), Path(out)
    made = [d for d in (out.parent, *out.parent.parents) if not d.exists()]
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_work(out.parent)
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=out.parent))
    (work / OWNER_FILE).write_text(str(os.getpid()))
    try:
        sampled = sample_frames(video, work / "images", cfg.sampling, ctx.sub(0.0, 0.15))
        sfm = recover_cameras_apart(list(sampled.paths), work, cfg.sfm, ctx.sub(0.15, 0.98))
        share = _registration_check(video, sampled, sfm, cfg.min_registered)
        ctx.step(1, 1, "writing")  # the last cancellation point: the frames and JSON go together
        images = _install_images([sampled.paths[i] for i in sfm.registered], out.parent / "images", work)
        capture = capture_from_sfm(images, sfm, sampled.size, f"video:{video.resolve()}")
        save_capture(capture, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        _remove_empty(made)  # a refused or cancelled video leaves no empty project behind
        raise
    shutil.rmtree(work, ignore_errors=True)
    warnings = []
    if sampled.decoded < sampled.frame_count:
        warnings.append(f"{video}: only {sampled.decoded} of {sampled.frame_count} frames could be decoded")
    return VideoCapture(
        capture=capture,
        sampled=len(sampled.paths),
        registered=share,
        frame_indices=tuple(sampled.indices[i] for i in sfm.registered),
        reprojection_error=sfm.reprojection_error,
        warnings=tuple(warnings),
    )
