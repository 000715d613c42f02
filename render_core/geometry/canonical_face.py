"""The canonical face: a frontal, left/right symmetric 478-point MediaPipe mesh in head units.

Convention: (478, 3) float32 centimetres, head space = OpenCV axes of a frontal head facing the
camera (x toward the image's right, i.e. the subject's left; y down; z forward, away from the
camera, so the nose tip has the smallest z). Centred on the mean of the 478 points. Iris
centres (473 subject-left, 468 subject-right) are `INTEROCULAR_CM` apart. `mirror_map()[i]` is
the index of point i's left/right partner (midline points map to themselves).
Built from real tracking by `render_core.tracking.build_canonical_face` (see there why).
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

# The repository's assets/, or the copy an installed wheel puts under its prefix's share/.
_REPO_ASSETS = Path(__file__).resolve().parents[2] / "assets"
_INSTALLED_ASSETS = Path(sys.prefix) / "share" / "render-studio" / "assets"
ASSET_DIR = _REPO_ASSETS if _REPO_ASSETS.is_dir() else _INSTALLED_ASSETS
POINTS_FILE = "canonical_face_points.npy"  # built from A_liveportrait_d18.mp4
MIRROR_FILE = "canonical_face_mirror.npy"
INTEROCULAR_CM = 6.3
IRIS_LEFT = 473
IRIS_RIGHT = 468


@lru_cache(maxsize=1)
def _load() -> tuple[np.ndarray, np.ndarray]:
    points = np.load(ASSET_DIR / POINTS_FILE, allow_pickle=False).astype(np.float32)
    mirror = np.load(ASSET_DIR / MIRROR_FILE, allow_pickle=False).astype(np.int64)
    points.setflags(write=False)
    mirror.setflags(write=False)
    return points, mirror


def canonical_face() -> np.ndarray:
    """(478, 3) float32 cm, read-only (copy before editing)."""
    return _load()[0]


def mirror_map() -> np.ndarray:
    """(478,) int: index of each point's left/right mirror partner."""
    return _load()[1]
