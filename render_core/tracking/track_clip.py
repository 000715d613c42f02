"""`track_clip(cfg, ctx)`: track one clip's face and body, cached by clip content + settings.

The one tracking pipeline behind the CLI `track` command and the studio's background job.
Frames stream from the decoder already downscaled to MediaPipe's working size (one swscale
pass), so memory is bounded by the compact tracks, never by the video. Results are cached at
`tracks_cache_dir(project_dir)/<clip_hash>-<tracker_version>.npz`, written atomically after
the last frame: a cancel (ctx.step raises Cancelled) leaves no file.
Convention: frame indices are the clip's; landmark/joint pixels are of the full decoded
(rotation-applied) frame; ranges are inclusive [first, last] frame indices.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from render_core.errors import InputError
from render_core.jobs import JobContext
from render_core.paths import tracks_cache_dir
from render_core.tracking.body import BodyTracker, BodyTrackerConfig
from render_core.tracking.face import FaceTracker, FaceTrackerConfig
from render_core.tracking.face_track import build_face_track
from render_core.tracking.head_crop import HeadCropFaceMesh
from render_core.tracking.head_pose import HeadPoseConfig
from render_core.tracking.one_euro import OneEuroFilter, OneEuroParams
from render_core.tracking.tracks import BODY_JOINTS, FACE_POINTS, BodyTrack, Tracks

# bump on output changes. 2: head-crop face fallback on full-body shots; 3: raw landmarks kept;
# 4: faces ranked by size (the asked rank takes over from a clearly different face, misses stay
# misses), head crops only for face 0 and only over the followed face
TRACKER_CODE_VERSION = "4"


@dataclass(frozen=True)
class TrackConfig:
    """What to track and how. `smoothing` is in pixels of the full frame (beta per px/s).
    detect_size: longest side (px) of the frames MediaPipe sees (0 = full size).
    frame_range: (start, stop) clip frame indices, stop exclusive; max_frames caps the count."""

    clip: str
    project_dir: str | None = None
    face: bool = True
    body: bool = True
    face_index: int = 0
    max_faces: int = 1
    smoothing: OneEuroParams = field(default_factory=lambda: OneEuroParams(1.0, 0.05, 1.0))
    smooth: bool = True
    detect_size: int = 640
    head_pose: HeadPoseConfig = field(default_factory=HeadPoseConfig)
    frame_range: tuple[int, int] | None = None
    max_frames: int | None = None

    def settings(self) -> dict:
        """Everything that changes the output (not where the clip or cache lives)."""
        d = asdict(self)
        d.pop("clip")
        d.pop("project_dir")
        return d


@dataclass
class TrackResult:
    tracks: Tracks
    path: Path
    cached: bool
    summary: dict


def tracker_version(cfg: TrackConfig) -> str:
    """12 hex chars over the tracker settings, the code version and mediapipe's version."""
    import mediapipe

    key = json.dumps([cfg.settings(), TRACKER_CODE_VERSION, mediapipe.__version__], sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def false_ranges(valid: np.ndarray, offset: int = 0) -> list[list[int]]:
    """(T,) bool -> inclusive [first, last] ranges (plus offset) where valid is False."""
    v = np.concatenate([[True], np.asarray(valid, bool), [True]])
    d = np.diff(v.astype(np.int8))
    starts, ends = np.flatnonzero(d == -1), np.flatnonzero(d == 1) - 1
    return [[int(a) + offset, int(b) + offset] for a, b in zip(starts, ends, strict=True)]


def detect_dims(width: int, height: int, detect_size: int) -> tuple[int, int]:
    """Decoder output size (w, h) for MediaPipe: longest side <= detect_size, never upscaled."""
    if detect_size <= 0 or max(width, height) <= detect_size:
        return width, height
    k = detect_size / max(width, height)
    return max(2, round(width * k)), max(2, round(height * k))


def _frame_span(cfg: TrackConfig, n_frames: int) -> tuple[int, int]:
    start, stop = cfg.frame_range if cfg.frame_range is not None else (0, n_frames)
    start, stop = max(0, start), min(n_frames, stop)
    if cfg.max_frames is not None:
        stop = min(stop, start + cfg.max_frames)
    if stop <= start:
        raise InputError(cfg.clip, f"no frames to track in range [{start}, {stop})")
    return start, stop


def _summary(tracks: Tracks, path: Path, cached: bool) -> dict:
    m = tracks.meta
    return {
        "frames": m["frames"],
        "face_valid": m["face_valid"],
        "body_valid": m["body_valid"],
        "fps": m["fps_tracking"],
        "no_face_ranges": m["no_face_ranges"],
        "no_body_ranges": m["no_body_ranges"],
        "path": str(path),
        "cached": cached,
    } | _damage_warning(m)


def _damage_warning(meta: dict) -> dict:
    """A `warnings` entry when the clip could not be decoded to its end: the summary succeeds,
    but the user should know the frames from there on carry no tracks."""
    d = meta.get("damaged_from")
    if d is None:
        return {}
    clip = meta.get("clip", {}).get("path", "the clip")
    return {
        "warnings": [f"{clip}: frames from {d} on cannot be decoded (damaged file); they were not tracked"]
    }


def track_clip(cfg: TrackConfig, ctx: JobContext) -> TrackResult:
    """Track `cfg.clip` (or load the cached result of the same clip + settings)."""
    from render_core.media.decode import VideoReader

    if not Path(cfg.clip).is_file():
        raise InputError(cfg.clip, "no such file")
    with VideoReader(cfg.clip, exact_colour=False) as reader:  # pixels nobody sees
        info = reader.info
        out = tracks_cache_dir(cfg.project_dir) / f"{info.content_hash}-{tracker_version(cfg)}.npz"
        if out.is_file():
            tracks = Tracks.load(out)
            return TrackResult(tracks, out, True, _summary(tracks, out, True))
        start, stop = _frame_span(cfg, len(reader))
        t0 = time.perf_counter()
        face_lm, raw_lm, body_j, masks = _track_frames(cfg, reader, start, stop, ctx)
        damaged_from = reader.damaged_from
    elapsed = time.perf_counter() - t0
    tracks = _assemble(cfg, info, face_lm, raw_lm, body_j, masks, start)
    tracks.meta.update(fps_tracking=round((stop - start) / max(elapsed, 1e-9), 2), path=str(out))
    if damaged_from is not None:
        tracks.meta["damaged_from"] = int(damaged_from)
    tracks.save(out)
    return TrackResult(tracks, out, False, _summary(tracks, out, False))


def _track_frames(
    cfg: TrackConfig, reader, start: int, stop: int, ctx: JobContext
) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None, list[bytes]]:
    """Run the trackers over [start, stop): face (n, 478, 3) smoothed and as detected (None
    without smoothing), body (n, 33, 4); NaN where missing."""
    info, n = reader.info, stop - start
    full = (info.width, info.height)
    face_lm = np.full((n, FACE_POINTS, 3), np.nan, np.float32) if cfg.face else None
    raw_lm = face_lm.copy() if cfg.face and cfg.smooth else None
    body_j = np.full((n, BODY_JOINTS, 4), np.nan, np.float32) if cfg.body else None
    masks: list[bytes] = []
    smoother = OneEuroFilter(cfg.smoothing, float(info.fps) or 30.0)
    face_cfg = FaceTrackerConfig(cfg.max_faces, cfg.face_index, detect_size=0)
    face_tr = FaceTracker(face_cfg) if cfg.face else None
    body_tr = BodyTracker(BodyTrackerConfig(detect_size=0)) if cfg.body else None
    # The body tracker follows the main person: its head crop stands in for face 0 only.
    head_tr = HeadCropFaceMesh() if cfg.face and cfg.body and cfg.face_index == 0 else None
    try:
        size = detect_dims(info.width, info.height, cfg.detect_size)
        for k, (i, frame) in enumerate(reader.frames(start, stop, size=size)):
            joints = None
            if body_tr is not None:
                joints, mask = body_tr.process(frame, full)
                masks.append(mask)
                if joints is not None:
                    body_j[k] = joints
            if face_tr is not None:
                lm = face_tr.process(frame, full)
                if lm is None and head_tr is not None and joints is not None:
                    lm = head_tr.process(frame, joints, full)  # a face too small to detect
                    if lm is not None and not face_tr.agrees(lm):
                        lm = None  # the body tracker follows another person than the face
                if lm is not None and raw_lm is not None:
                    raw_lm[k] = lm
                lm = smoother(lm) if cfg.smooth else lm
                if lm is not None:
                    face_lm[k] = lm
            ctx.step(k + 1, n, f"tracking frame {i}")
        if face_tr is not None:
            check_face_index(cfg, face_tr.most_faces)
    finally:
        for tr in (face_tr, body_tr, head_tr):
            if tr is not None:
                tr.close()
    masks += [b""] * (n - len(masks)) if cfg.body else []
    return face_lm, raw_lm, body_j, masks


def check_face_index(cfg: TrackConfig, most_faces: int) -> None:
    """InputError naming the clip when the chosen face (by size rank) was never there: the
    tracks would silently follow nobody, or whoever the body tracker follows."""
    if cfg.face_index > 0 and cfg.face_index >= most_faces:
        raise InputError(
            cfg.clip,
            f"--face {cfg.face_index} asks for face {cfg.face_index + 1} by size, but the face tracker "
            f"finds at most {most_faces} face(s) in a frame of this clip (0 = the largest)",
        )


def _assemble(cfg: TrackConfig, info, face_lm, raw_lm, body_j, masks: list[bytes], start: int) -> Tracks:
    face = body = None
    meta = {
        "clip_hash": info.content_hash,
        "clip": info.to_json(),
        "tracker_version": tracker_version(cfg),
        "settings": cfg.settings(),
        "frame_start": start,
        "width": info.width,
        "height": info.height,
        "fps": [info.fps_num, info.fps_den],
    }
    n = len(face_lm) if face_lm is not None else len(body_j)
    meta["frames"] = n
    if face_lm is not None:
        valid = np.isfinite(face_lm).all(axis=(1, 2))
        face = build_face_track(face_lm, valid, info.width, info.height, cfg.head_pose, raw_lm)
    if body_j is not None:
        bvalid = np.isfinite(body_j).all(axis=(1, 2))
        body = BodyTrack(body_j, bvalid, masks, BodyTrackerConfig().mask_scale)
    meta["face_valid"] = int(face.valid.sum()) if face else 0
    meta["body_valid"] = int(body.valid.sum()) if body else 0
    meta["no_face_ranges"] = false_ranges(face.valid, start) if face else []
    meta["no_body_ranges"] = false_ranges(body.valid, start) if body else []
    return Tracks(face, body, meta)
