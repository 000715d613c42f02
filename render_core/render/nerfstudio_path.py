"""nerfstudio camera paths (the `camera_path.json` its viewer's render panel writes and
`ns-render camera-path` reads): imported to render their cameras, exported to edit or render a
path there.

The file: `camera_type` ("perspective"; fisheye and the panoramic kinds are refused),
`render_width` and `render_height` px, `seconds` (ns-render's duration: the frame rate is
cameras / seconds), `fps`, and `camera_path`, one entry per output frame: `camera_to_world`
(16 numbers, a row-major 4x4), `fov` (vertical, degrees) and `aspect` (w / h, not read back).
An export also writes each camera as one of the viewer's `keyframes`, so its "Load Path" opens
the file.

Conventions: a file's `camera_to_world` is OpenGL (x right, y up, z back: a camera looks down
its -z); the project's cameras are OpenCV (x right, y down, z forward): the camera frame's y
and z axes flip, both ways. A file's intrinsics are square pixels with the principal point at
the image centre (nerfstudio's cx = w / 2 counts pixel centres at +0.5; the project's
w / 2 - 0.5 counts them at integers) and fy = (h / 2) / tan(fov / 2).

World frame: a file's coordinates are taken as the project's world, the frame `capture`
wrote the cameras in; export writes that frame too, so export then import gives the same
cameras. A path drawn in nerfstudio's viewer over a model nerfstudio trained is in
nerfstudio's recentred, rescaled world (its `dataparser_transforms.json`), which is not the
capture's: such a path renders elsewhere unless that transform is undone first.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from render_core.errors import InputError
from render_core.geometry.cameras import intrinsics, invert_rigid
from render_core.io_atomic import write_text_atomic
from render_core.states import CameraState

# Intrinsics the file cannot hold: beyond these, an export warns that it approximates them.
PIXEL_ASPECT_TOLERANCE = 0.01
CENTRE_TOLERANCE_PX = 1.0
_FLIP = np.diag([1.0, -1.0, -1.0, 1.0])  # OpenCV <-> OpenGL camera axes (its own inverse)


@dataclass(frozen=True)
class CameraPathFile:
    """A path read from a file: its cameras (OpenCV, one per output frame) and frame rate
    (None when the file gives neither `seconds` nor `fps`)."""

    cameras: tuple[CameraState, ...]
    fps: float | None


def fov_degrees(k: np.ndarray, height: int) -> float:
    """The vertical field of view (degrees) of K (3, 3) for images `height` px tall."""
    return math.degrees(2.0 * math.atan(0.5 * height / float(k[1, 1])))


def nerfstudio_intrinsics(fov: float, size: tuple[int, int]) -> np.ndarray:
    """K (3, 3) in px of a nerfstudio camera: vertical `fov` degrees, square pixels, centred."""
    w, h = size
    f = 0.5 * h / math.tan(0.5 * math.radians(fov))
    return intrinsics(f, f, w / 2 - 0.5, h / 2 - 0.5)


def to_nerfstudio(cameras: Sequence[CameraState], fps: float) -> tuple[dict, list[str]]:
    """(the camera_path document, warnings) of `cameras` (one size) played at `fps`."""
    w, h = cameras[0].size
    if any(tuple(c.size) != (w, h) for c in cameras):
        raise ValueError("a camera path's cameras share one frame size")
    frames, odd = [], 0
    for cam in cameras:
        k = np.asarray(cam.intrinsics, np.float64)
        odd += _lossy(k, (w, h))
        c2w = invert_rigid(np.asarray(cam.world_to_camera, np.float64)) @ _FLIP
        frames.append(
            {"camera_to_world": c2w.reshape(-1).tolist(), "fov": fov_degrees(k, h), "aspect": w / h}
        )
    doc = {
        "camera_type": "perspective",
        "render_width": int(w),
        "render_height": int(h),
        "fps": float(fps),
        "seconds": len(frames) / float(fps),
        "camera_path": frames,
        "keyframes": [
            {"matrix": f["camera_to_world"], "fov": f["fov"], "aspect": f["aspect"]} for f in frames
        ],
        "default_fov": frames[0]["fov"],
        "default_transition_sec": 1.0 / float(fps),
        "is_cycle": False,
    }
    warnings = []
    if odd:
        warnings.append(
            f"{odd} of {len(frames)} cameras have non-square pixels or an off-centre principal point, "
            "which a nerfstudio camera path cannot hold: written with their vertical field of view, centred"
        )
    return doc, warnings


def _lossy(k: np.ndarray, size: tuple[int, int]) -> bool:
    """Whether K differs from what the file can hold by more than the tolerances."""
    w, h = size
    off = max(abs(k[0, 2] - (w / 2 - 0.5)), abs(k[1, 2] - (h / 2 - 0.5)))
    return abs(k[0, 0] / k[1, 1] - 1.0) > PIXEL_ASPECT_TOLERANCE or off > CENTRE_TOLERANCE_PX


def write_camera_path(cameras: Sequence[CameraState], path: str | Path, fps: float) -> list[str]:
    """Write `cameras` as a nerfstudio camera_path JSON (atomically); returns the warnings."""
    doc, warnings = to_nerfstudio(cameras, fps)
    write_text_atomic(path, json.dumps(doc))
    return warnings


def read_camera_path(
    path: str | Path, center: np.ndarray | None = None, up: np.ndarray | None = None
) -> CameraPathFile:
    """The cameras of a nerfstudio camera_path JSON, with the project's `center` and `up`
    (what viewpoint edits orbit about); InputError naming the file and the problem."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(p, "no such file") from None
    except IsADirectoryError:
        raise InputError(p, "is a folder, not a camera path file") from None
    except UnicodeDecodeError:
        raise InputError(p, "is not a camera path (not JSON text)") from None
    except json.JSONDecodeError as e:
        raise InputError(p, f"is not JSON ({e.msg} at line {e.lineno})") from None
    try:
        return from_nerfstudio(doc, center, up)
    except ValueError as e:
        raise InputError(p, str(e)) from None


def from_nerfstudio(doc, center: np.ndarray | None = None, up: np.ndarray | None = None) -> CameraPathFile:
    """The cameras of a camera_path document; ValueError saying what is wrong with it."""
    if not isinstance(doc, dict):
        raise ValueError("is not a nerfstudio camera path (a JSON object with 'camera_path')")
    kind = doc.get("camera_type", "perspective")
    if kind != "perspective":
        raise ValueError(f"camera_type {kind!r} is not supported (perspective only)")
    size = (_positive(doc, "render_width", int), _positive(doc, "render_height", int))
    entries = _key(doc, "camera_path")
    if not isinstance(entries, list):
        raise ValueError("'camera_path' is not a list of cameras")
    if not entries:
        raise ValueError("has no cameras ('camera_path' is empty)")
    cameras = tuple(_camera(e, i, size, center, up) for i, e in enumerate(entries))
    return CameraPathFile(cameras, _fps(doc, len(cameras)))


def _key(d: dict, key: str, where: str = ""):
    if key not in d:
        raise ValueError(f"{where}missing key {key!r}")
    return d[key]


def _positive(d: dict, key: str, kind: type, where: str = "") -> float:
    """d[key] as a number > 0 (`int`: a whole one), else ValueError naming it."""
    v = _key(d, key, where)
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v > 0
    if not ok or (kind is int and v != int(v)):
        raise ValueError(f"{where}{key} {v!r} is not a {'whole ' if kind is int else ''}number above 0")
    return kind(v)


def _fps(doc: dict, n: int) -> float | None:
    """Frames per second as ns-render plays the file (cameras / seconds), else its `fps`."""
    if "seconds" in doc:
        return n / _positive(doc, "seconds", float)
    return _positive(doc, "fps", float) if "fps" in doc else None


def _camera(entry, i: int, size: tuple[int, int], center, up) -> CameraState:
    where = f"camera {i}: "
    if not isinstance(entry, dict):
        raise ValueError(f"{where}is not an object with camera_to_world and fov")
    c2w = _rigid(_key(entry, "camera_to_world", where), where)
    fov = _positive(entry, "fov", float, where)
    if fov >= 180.0:
        raise ValueError(f"{where}fov {fov!r} is not below 180 degrees")
    w2c = invert_rigid(c2w @ _FLIP)
    return CameraState(w2c, nerfstudio_intrinsics(fov, size), size, center, up)


def _rigid(value, where: str) -> np.ndarray:
    """A camera-to-world (4, 4) from 16 numbers (or a 4x4 list), checked to be a rotation
    and a translation; ValueError saying how it is not."""
    try:
        m = np.asarray(value, np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{where}camera_to_world is not a list of numbers") from None
    if m.size != 16 or m.ndim not in (1, 2) or (m.ndim == 2 and m.shape != (4, 4)):
        raise ValueError(f"{where}camera_to_world has shape {m.shape}: expected 16 numbers (a row-major 4x4)")
    m = m.reshape(4, 4)
    if not np.isfinite(m).all():
        raise ValueError(f"{where}camera_to_world holds a NaN or an infinity")
    if not np.allclose(m[3], [0.0, 0.0, 0.0, 1.0], atol=1e-6):
        raise ValueError(f"{where}camera_to_world's last row is {m[3].tolist()}, not [0, 0, 0, 1]")
    det = float(np.linalg.det(m[:3, :3]))
    if abs(det) < 1e-9:
        raise ValueError(f"{where}camera_to_world is not invertible (its rotation part is singular)")
    if not np.allclose(m[:3, :3].T @ m[:3, :3], np.eye(3), atol=1e-4):
        raise ValueError(f"{where}camera_to_world is not a rotation and a translation (it scales or shears)")
    if det < 0:
        raise ValueError(f"{where}camera_to_world mirrors the image (its rotation part has determinant -1)")
    return m
