"""Clip-wide clean plate: the scene behind the person, from frames sampled across the whole clip.

Why: a limb that moves away uncovers pixels the current frame never shows. A ring of recent
frames (`BackgroundModel`) rarely saw them either (the person stood there the whole time), so the
vacated region was inpainted from its border and left a pale ghost of the old limb. Frames from
across the clip show most of the background behind the person; the per-pixel median over the
frames where a pixel was background is the plate, and inpainting (TELEA) fills only what no
sampled frame shows. Built once per clip (memory: `samples` frames at `max_side`, whatever the
clip's length), kept in memory for the last clips and on disk by content hash.

Assumes a static camera (the body family's footage); a moving camera blurs the plate.
Convention: frames (H, W, 3) float32 RGB [0, 1] or uint8 RGB; person masks (H, W) float32 [0, 1].
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np


@dataclass(frozen=True)
class CleanPlateConfig:
    """samples: frames sampled evenly over the clip. max_side: the plate's longest side px.
    grow: the person mask grows by this share of the frame height before a pixel counts as
    background (segmentation edges trail hair and loose cloth)."""

    samples: int = 32
    max_side: int = 640
    grow: float = 0.015
    threshold: float = 0.05


@dataclass(frozen=True)
class CleanPlate:
    """image: (h, w, 3) float32, background everywhere (inpainted where no frame showed it);
    seen: (h, w) float32, 1 where some sampled frame showed background."""

    image: np.ndarray
    seen: np.ndarray

    def at(self, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """(image (H, W, 3), valid (H, W) all ones) at frame size `shape` (H, W): every pixel
        of the plate is usable, seen or inpainted."""
        h, w = shape
        image = cv2.resize(self.image, (w, h), interpolation=cv2.INTER_LINEAR)
        return image, np.ones((h, w), np.float32)


def _plate_size(hw: tuple[int, int], max_side: int) -> tuple[int, int]:
    """(w, h) of the plate for frames of size `hw` (H, W)."""
    h, w = hw
    k = min(1.0, max_side / max(h, w))
    return max(1, round(w * k)), max(1, round(h * k))


def _background(mask: np.ndarray, size: tuple[int, int], cfg: CleanPlateConfig) -> np.ndarray:
    """bool (h, w) at plate size: pixels clear of the grown person mask."""
    m = cv2.resize(np.asarray(mask, np.float32), size, interpolation=cv2.INTER_AREA) > cfg.threshold
    r = max(1, int(round(cfg.grow * size[1])))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    return cv2.dilate(m.astype(np.uint8), kernel) == 0


def build_clean_plate(
    samples: Iterable[tuple[np.ndarray, np.ndarray]], cfg: CleanPlateConfig = CleanPlateConfig()
) -> CleanPlate | None:
    """The plate of (frame, person mask) pairs, all of one clip; None when there are none."""
    stack, bg, size = [], [], None
    for frame, mask in samples:
        if size is None:
            size = _plate_size(frame.shape[:2], cfg.max_side)
        f = np.asarray(frame)
        f = f if f.dtype == np.uint8 else np.clip(f * 255.0 + 0.5, 0, 255).astype(np.uint8)
        stack.append(cv2.resize(f, size, interpolation=cv2.INTER_AREA))
        bg.append(_background(mask, size, cfg))
    if not stack:
        return None
    pixels = np.stack(stack).astype(np.float32) / 255.0
    seen = np.stack(bg)
    pixels[~seen] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # never-seen pixels: inpainted below
        med = np.nanmedian(pixels, axis=0)
    valid = seen.any(axis=0)
    image = np.nan_to_num(med, nan=0.0).astype(np.float32)
    return CleanPlate(_inpaint(image, ~valid), valid.astype(np.float32))


def _inpaint(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """TELEA inpainting of `hole` (bool (h, w)) at half size where it is large (its cost grows
    with the hole), the known pixels kept exactly."""
    if not hole.any():
        return image
    if hole.all():
        return np.full_like(image, float(np.nanmean(image)) if image.size else 0.0)
    u8 = np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
    h, w = hole.shape
    small = max(h, w) > 320
    src = cv2.resize(u8, (w // 2, h // 2), interpolation=cv2.INTER_AREA) if small else u8
    hs = hole.astype(np.uint8)
    if small:
        hs = cv2.resize(hs, (w // 2, h // 2), interpolation=cv2.INTER_NEAREST)
        hs = cv2.dilate(hs, np.ones((3, 3), np.uint8))
    filled = cv2.inpaint(src, hs, 5.0, cv2.INPAINT_TELEA)
    if small:
        filled = cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR)
    out = image.copy()
    out[hole] = filled[hole].astype(np.float32) / 255.0
    return out


def sample_indices(valid: np.ndarray, count: int) -> np.ndarray:
    """Up to `count` frame indices spread evenly over the frames where `valid` (T,) holds."""
    idx = np.nonzero(np.asarray(valid, bool))[0]
    if len(idx) <= count:
        return idx
    return idx[np.round(np.linspace(0, len(idx) - 1, count)).astype(int)]


def plate_of_clip(
    read: Callable[[int], np.ndarray],
    mask: Callable[[int, tuple[int, int]], np.ndarray | None],
    valid: np.ndarray,
    cfg: CleanPlateConfig = CleanPlateConfig(),
) -> CleanPlate | None:
    """The plate of a clip given `read(t)` (frame t) and `mask(t, (w, h))` (its person mask at
    that size, or None)."""

    def samples():
        for t in sample_indices(valid, cfg.samples):
            frame = read(int(t))
            m = mask(int(t), (frame.shape[1], frame.shape[0]))
            if m is not None:
                yield frame, m

    return build_clean_plate(samples(), cfg)


class PlateCache:
    """The last `capacity` clips' plates in memory, and every plate on disk under `folder`
    (`<clip hash>-<settings>.npz`, written atomically): a clip's plate is built once."""

    def __init__(self, folder: Path | None, capacity: int = 2) -> None:
        self.folder, self.capacity = folder, capacity
        self._memory: OrderedDict[str, CleanPlate] = OrderedDict()

    def get(self, key: str, build: Callable[[], CleanPlate | None]) -> CleanPlate | None:
        plate = self._memory.get(key)
        if plate is None:
            plate = self._load(key)
        if plate is None:
            plate = build()
            if plate is not None:
                self._save(key, plate)
        if plate is not None:
            self._memory[key] = plate
            self._memory.move_to_end(key)
            while len(self._memory) > self.capacity:
                self._memory.popitem(last=False)
        return plate

    def _path(self, key: str) -> Path | None:
        return None if self.folder is None else Path(self.folder) / f"{key}.npz"

    def _load(self, key: str) -> CleanPlate | None:
        path = self._path(key)
        if path is None or not path.exists():
            return None
        try:
            with np.load(path) as z:
                return CleanPlate(z["image"].astype(np.float32) / 255.0, z["seen"].astype(np.float32))
        except (OSError, ValueError, KeyError):
            return None  # a damaged cache file is rebuilt

    def _save(self, key: str, plate: CleanPlate) -> None:
        path = self._path(key)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        image = np.clip(plate.image * 255.0 + 0.5, 0, 255).astype(np.uint8)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, image=image, seen=plate.seen > 0.5)
        os.replace(tmp, path)


def settings_key(cfg: CleanPlateConfig) -> str:
    """A short tag of the settings a cached plate was built with."""
    return f"s{cfg.samples}-m{cfg.max_side}-g{round(cfg.grow * 1000)}-t{round(cfg.threshold * 100)}"


_CACHE: PlateCache | None = None


def clip_plate(tracks, cfg: CleanPlateConfig = CleanPlateConfig()) -> CleanPlate | None:
    """The clean plate of the clip `tracks` (`tracking.tracks.Tracks`) were made from, built
    once per clip (its content hash) from the body track's person masks; None where the clip
    has no body track, no masks, or cannot be opened."""
    global _CACHE
    from render_core.media.decode import VideoReader
    from render_core.paths import user_cache_dir

    body, meta = tracks.body, tracks.meta
    path, key = (meta.get("clip") or {}).get("path"), meta.get("clip_hash")
    if body is None or not body.masks or not path or not key or not Path(path).exists():
        return None
    if _CACHE is None:
        _CACHE = PlateCache(user_cache_dir() / "plates")
    start = int(meta.get("frame_start", 0))

    def build() -> CleanPlate | None:
        with VideoReader(path) as reader:
            n = min(len(body), len(reader) - start)
            return plate_of_clip(lambda t: reader.read(t + start), body.mask, body.valid[:n], cfg)

    return _CACHE.get(f"{key}-{start}-{settings_key(cfg)}", build)
