"""Captures: an image set with known cameras (LLFF `poses_bounds.npy` or NeRF
`transforms.json`) read into one `Capture`, checked, and written into a project atomically.

Why one document: training, the held-out report and the viewpoint layer all read the same
cameras, intrinsics and scene box; the box is placed here, from the masks or the LLFF bounds,
so nobody edits a file to put the voxel grid around the subject.

Convention: OpenCV cameras (x right, y down, z forward), `world_to_camera` (N, 4, 4),
intrinsics (N, 3, 3) in pixels of the stored images (size (w, h)).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from render_core.errors import InputError
from render_core.geometry import cameras as cam
from render_core.io_atomic import write_text_atomic
from render_core.jobs import JobContext, null_context

MIN_IMAGES = 3  # one to learn from, one neighbour, one held out
CAPTURE_FILE = "capture.json"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
BOX_MARGIN = 1.15  # the grid's half size over the subject's measured radius


@dataclass(frozen=True)
class Capture:
    """images / masks: absolute paths (masks None when the set has none); world_to_camera
    (N, 4, 4); intrinsics (N, 3, 3) px; size (w, h); bounds (N, 2) near/far depths or None;
    center (3,) and radius: the scene box the voxel grid fills; up (3,): the world's up."""

    images: tuple[Path, ...]
    masks: tuple[Path, ...] | None
    world_to_camera: np.ndarray
    intrinsics: np.ndarray
    size: tuple[int, int]
    bounds: np.ndarray | None
    center: np.ndarray
    radius: float
    up: np.ndarray
    source: str = ""

    def __len__(self) -> int:
        return len(self.images)

    @property
    def camera_to_world(self) -> np.ndarray:
        return cam.invert_rigid(self.world_to_camera)

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "size": list(self.size),
            "images": [str(p) for p in self.images],
            "masks": None if self.masks is None else [str(p) for p in self.masks],
            "world_to_camera": self.world_to_camera.tolist(),
            "intrinsics": self.intrinsics.tolist(),
            "bounds": None if self.bounds is None else self.bounds.tolist(),
            "center": self.center.tolist(),
            "radius": float(self.radius),
            "up": self.up.tolist(),
        }

    @staticmethod
    def from_json(d: dict) -> Capture:
        masks = d.get("masks")
        bounds = d.get("bounds")
        return Capture(
            images=tuple(Path(p) for p in d["images"]),
            masks=None if masks is None else tuple(Path(p) for p in masks),
            world_to_camera=np.asarray(d["world_to_camera"], np.float64),
            intrinsics=np.asarray(d["intrinsics"], np.float64),
            size=(int(d["size"][0]), int(d["size"][1])),
            bounds=None if bounds is None else np.asarray(bounds, np.float64),
            center=np.asarray(d["center"], np.float64),
            radius=float(d["radius"]),
            up=np.asarray(d["up"], np.float64),
            source=d.get("source", ""),
        )


def _image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def _common_size(paths: list[Path], ctx: JobContext) -> tuple[int, int]:
    """The one (w, h) of every image; InputError naming the first that differs."""
    sizes = []
    for i, p in enumerate(paths):
        ctx.step(i, len(paths), f"reading {p.name}")
        try:
            with Image.open(p) as im:
                sizes.append(im.size)
        except OSError:
            raise InputError(p, "is not a readable image") from None
        if sizes[-1] != sizes[0]:
            raise InputError(p, f"images of different sizes: {sizes[-1]} here, {sizes[0]} in {paths[0].name}")
    return sizes[0]


def _check_count(where: Path, n: int) -> None:
    if n < MIN_IMAGES:
        raise InputError(where, f"too few images ({n}): a capture needs at least {MIN_IMAGES} views")


def _image_dir(folder: Path) -> tuple[Path, str]:
    """The LLFF image folder (the most downscaled `images_N`, else `images`) and its suffix."""
    scaled = sorted((p for p in folder.glob("images_*") if p.is_dir()), key=lambda p: p.name)
    if scaled:
        return scaled[-1], scaled[-1].name[len("images") :]
    if (folder / "images").is_dir():
        return folder / "images", ""
    raise InputError(folder, "has no images/ or images_N/ folder")


def read_llff(folder: Path, ctx: JobContext) -> Capture:
    """An LLFF set: rows [R|t|hwf] (3x5, camera-to-world, axes [down, right, back]) + near/far;
    hwf is in the original images' pixels, rescaled to the stored images here."""
    folder = Path(folder)
    rows = np.load(folder / "poses_bounds.npy")
    img_dir, suffix = _image_dir(folder)
    images = _image_files(img_dir)
    _check_count(img_dir, len(images))
    if rows.ndim != 2 or rows.shape[1] != 17 or len(rows) != len(images):
        raise InputError(
            folder / "poses_bounds.npy",
            f"has {len(rows)} rows of {rows.shape[-1]} values but {img_dir.name}/ holds {len(images)} images"
            " (one row of 17 per image expected)",
        )
    w, h = _common_size(images, ctx)
    poses = rows[:, :15].reshape(-1, 3, 5)
    sx = w / poses[0, 1, 4]
    k = np.stack([cam.intrinsics(f * sx, f * sx, w / 2 - 0.5, h / 2 - 0.5) for f in poses[:, 2, 4]])
    c2w = cam.llff_to_opencv(poses[:, :, :4])
    mask_dir = folder / f"masks{suffix}"
    masks = [mask_dir / (p.stem + ".png") for p in images] if mask_dir.is_dir() else None
    if masks is not None and not all(m.is_file() for m in masks):
        masks = None
    return _finish(images, masks, c2w, k, (w, h), rows[:, 15:17], f"llff:{folder}")


def read_nerf(path: Path, ctx: JobContext) -> Capture:
    """A NeRF `transforms.json` (OpenGL camera-to-world; fl_x/fl_y/cx/cy or camera_angle_x).
    Its principal point counts pixels from the image's corner (the centre of a w-wide image is
    w / 2), the Capture's from the first pixel's centre (w / 2 - 0.5, as LLFF sets read here).
    Lens distortion coefficients are not applied (the images are used as stored)."""
    path = Path(path)
    d = json.loads(path.read_text())
    frames = d.get("frames") or []
    _check_count(path, len(frames))
    images = []
    for f in frames:
        p = path.parent / f["file_path"]
        if not p.suffix:
            p = next((p.with_suffix(s) for s in (".png", ".jpg") if p.with_suffix(s).is_file()), p)
        if not p.is_file():
            raise InputError(p, "listed in transforms.json but missing")
        images.append(p)
    w, h = _common_size(images, ctx)
    sx = w / float(d.get("w", w))
    fx = float(d["fl_x"]) if "fl_x" in d else 0.5 * float(d.get("w", w)) / np.tan(0.5 * d["camera_angle_x"])
    fy = float(d.get("fl_y", fx))
    cx, cy = float(d.get("cx", d.get("w", w) / 2)), float(d.get("cy", d.get("h", h) / 2))
    k = cam.scale_intrinsics(cam.intrinsics(fx, fy, cx - 0.5, cy - 0.5), sx)
    c2w = cam.opengl_to_opencv(np.array([f["transform_matrix"] for f in frames], np.float64))
    return _finish(images, None, c2w, np.repeat(k[None], len(images), 0), (w, h), None, f"nerf:{path}")


def _mask_radius(c2w: np.ndarray, k: np.ndarray, masks: list[Path], center: np.ndarray) -> float:
    """The subject's radius seen in the masks: per view the farthest foreground pixel from the
    projected centre, back at the centre's depth; the median over views."""
    w2c = cam.invert_rigid(c2w)
    radii = []
    for i, m in enumerate(masks):
        a = np.asarray(Image.open(m).convert("L")) > 127
        pc = w2c[i, :3, :3] @ center + w2c[i, :3, 3]
        if not a.any() or pc[2] <= 0:
            continue
        u, v = k[i, 0, 0] * pc[0] / pc[2] + k[i, 0, 2], k[i, 1, 1] * pc[1] / pc[2] + k[i, 1, 2]
        ys, xs = np.nonzero(a)
        r_px = np.sqrt(((xs - u) ** 2 + (ys - v) ** 2).max())
        radii.append(pc[2] * r_px / k[i, 0, 0])
    return float(np.median(radii)) if radii else 0.0


def _finish(images, masks, c2w, k, size, bounds, source) -> Capture:
    """Place the scene box (masks, else bounds, else the field of view) and build the Capture."""
    center = cam.closest_point_to_axes(c2w)
    dist = np.linalg.norm(c2w[:, :3, 3] - center, axis=1)
    radius = _mask_radius(c2w, k, masks, center) if masks else 0.0
    if radius <= 0 and bounds is not None:
        radius = float(np.median(np.clip(dist - bounds[:, 0], 1e-3, None)))
    if radius <= 0:
        half_fov = np.arctan(0.5 * min(size) / k[:, 0, 0].mean())
        radius = float(np.median(dist) * np.sin(half_fov))
    return Capture(
        images=tuple(Path(p).resolve() for p in images),
        masks=None if masks is None else tuple(Path(p).resolve() for p in masks),
        world_to_camera=cam.invert_rigid(c2w),
        intrinsics=np.asarray(k, np.float64),
        size=(int(size[0]), int(size[1])),
        bounds=None if bounds is None else np.asarray(bounds, np.float64),
        center=center,
        radius=radius * BOX_MARGIN,
        up=cam.mean_up(c2w),
        source=source,
    )


def read_capture(path: str | Path, ctx: JobContext | None = None) -> Capture:
    """A capture from an LLFF folder, a NeRF transforms.json (or its folder), or a capture.json."""
    ctx = ctx or null_context()
    p = Path(path)
    if not p.exists():
        raise InputError(p, "does not exist")
    if p.is_file() and p.name == CAPTURE_FILE:
        return load_capture(p)
    if p.is_dir() and (p / "poses_bounds.npy").is_file():
        return read_llff(p, ctx)
    if p.is_dir() and (p / "transforms.json").is_file():
        p = p / "transforms.json"
    if p.is_file() and p.suffix == ".json":
        return read_nerf(p, ctx)
    raise InputError(p, "is not an image set with cameras (need poses_bounds.npy or transforms.json)")


def save_capture(capture: Capture, path: str | Path) -> Path:
    """Write the capture's JSON atomically (`.part` + rename); returns the path."""
    write_text_atomic(path, json.dumps(capture.to_json()))
    return Path(path)


def load_capture(path: str | Path) -> Capture:
    p = Path(path)
    try:
        return Capture.from_json(json.loads(p.read_text()))
    except (OSError, ValueError, KeyError) as e:
        raise InputError(p, f"is not a readable capture ({e})") from None


def is_capture(path: str | Path) -> bool:
    return Path(path).name == CAPTURE_FILE
