"""The three per-frame conditioning images of Deep Video Portraits, at crop resolution.

(1) shaded: Lambert-style shading of the face mesh with per-vertex normals and a per-clip
    lighting fitted to the real frames (first-order spherical harmonics per RGB channel:
    colour = c0 + c_xyz . n, the least-squares fit of the crop's colours over the face);
(2) correspondence: every pixel coloured by its vertex's position on a fixed reference face
    (the subject's neutral face, normalized to [0, 1] per axis), so the network knows which
    part of the face it is looking at;
(3) gaze: eye openings white, each iris a coloured disc at the (possibly edited) iris centre,
    clipped to the eye opening, on black.

Convention: all inputs in crop pixels (x right, y down, z depth smaller = nearer, in x-pixel
units); outputs float32 RGB [0, 1] (S, S, 3); the stacked map is (S, S, 9) = shaded|corr|gaze.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import torch

from render_core.conditioning.mesh import face_triangles, vertex_normals
from render_core.conditioning.rasterize import Raster, rasterize, visible_pixels
from render_core.geometry import face_topology

IRIS_COLOR = (0.1, 0.35, 0.95)
IRIS_RADIUS_OF_EYE_WIDTH = 0.2
DEFAULT_LIGHT = np.array([[0.15, 0.0, 0.0, -0.75]] * 3, np.float32)  # frontal grey light
SUBPIXEL = 4  # cv2 drawing shift: 1/16 px precision


@dataclass
class FaceMapRenderer:
    """Renders (S, S, 9) conditioning for one subject. colors: (478, 3) in [0, 1];
    light: (3, 4) per-channel [c0, cx, cy, cz]."""

    size: int
    colors: np.ndarray
    light: np.ndarray = field(default_factory=lambda: DEFAULT_LIGHT.copy())

    def __post_init__(self) -> None:
        self._tris_np = face_triangles()
        self._tris = torch.from_numpy(self._tris_np)
        self._colors = torch.from_numpy(np.asarray(self.colors, np.float32))

    def raster(self, lm_crop: np.ndarray) -> Raster:
        return rasterize(lm_crop, self._tris, self.size)

    def normals_image(self, lm_crop: np.ndarray, raster: Raster) -> np.ndarray:
        """(S, S, 3) unit normals (zeros off the face)."""
        vn = torch.from_numpy(vertex_normals(lm_crop.astype(np.float64), self._tris_np))
        n = raster.interpolate(vn, self._tris)
        return torch.nn.functional.normalize(n, dim=-1).numpy()

    def render(self, lm_crop: np.ndarray, iris_crop: np.ndarray) -> np.ndarray:
        """lm_crop: (478, 3), iris_crop: (2, 2) [left, right] -> (S, S, 9) float32 in [0, 1].
        Normals and colours are interpolated in one gather at the covered pixels only."""
        s = self.size
        vis = visible_pixels(lm_crop, self._tris, s)
        vn = torch.from_numpy(vertex_normals(lm_crop.astype(np.float64), self._tris_np))
        at_pixels = vis.interpolate(torch.cat([vn, self._colors], 1), self._tris)  # (P, 6)
        normals = torch.nn.functional.normalize(at_pixels[:, :3], dim=1)
        at_pixels[:, :3] = shade(normals, self.light)
        out = np.zeros((s, s, 9), np.float32)
        out.reshape(s * s, 9)[vis.pix.numpy(), :6] = at_pixels.numpy()
        draw_gaze(out[..., 6:], lm_crop, iris_crop)
        return out


def shade(normals: torch.Tensor, light: np.ndarray) -> torch.Tensor:
    """normals: (P, 3), light: (3, 4) -> (P, 3) colour = c0 + c_xyz . n, clipped to [0, 1]."""
    lt = torch.from_numpy(np.asarray(light, np.float32))
    return torch.addmm(lt[:, 0], normals, lt[:, 1:].t()).clamp_(0.0, 1.0)


def fit_light(normals: list[np.ndarray], images: list[np.ndarray]) -> np.ndarray:
    """Least-squares first-order SH light over the face pixels of a few frames.

    normals: list of (S, S, 3) (zeros off the face); images: list of (S, S, 3) real crops [0, 1].
    Returns (3, 4). Falls back to the default light when the face covers too few pixels.
    """
    rows, rgb = [], []
    for n, im in zip(normals, images, strict=True):
        on = np.linalg.norm(n, axis=-1) > 0.5
        rows.append(np.concatenate([np.ones((on.sum(), 1)), n[on]], axis=1))
        rgb.append(im[on])
    a, b = np.concatenate(rows), np.concatenate(rgb)
    if a.shape[0] < 50:
        return DEFAULT_LIGHT.copy()
    coef, *_ = np.linalg.lstsq(a, b, rcond=None)
    return coef.T.astype(np.float32)


def draw_gaze(out: np.ndarray, lm_crop: np.ndarray, iris_crop: np.ndarray) -> None:
    """The gaze map into `out` (S, S, 3), zeros, in place: white eye openings and iris discs
    clipped to them. iris_crop: (2, 2) [left, right] px. The colours are computed only over the
    eyes' bounding box (a few percent of the crop)."""
    size = out.shape[0]
    eye_mask = np.zeros((size, size), np.uint8)
    iris = np.zeros((size, size), np.uint8)
    scale = 1 << SUBPIXEL
    for contour, corners, centre in zip(
        face_topology.eyes(),
        (face_topology.LEFT_EYE_CORNERS, face_topology.RIGHT_EYE_CORNERS),
        iris_crop,
        strict=True,
    ):
        poly = np.round(lm_crop[list(contour), :2] * scale).astype(np.int32)
        cv2.fillPoly(eye_mask, [poly], 255, lineType=cv2.LINE_AA, shift=SUBPIXEL)
        width = float(np.linalg.norm(lm_crop[corners[0], :2] - lm_crop[corners[1], :2]))
        if np.all(np.isfinite(centre)):
            c = tuple(int(v) for v in np.round(np.asarray(centre) * scale))
            rad = int(round(IRIS_RADIUS_OF_EYE_WIDTH * width * scale))
            cv2.circle(iris, c, rad, 255, -1, lineType=cv2.LINE_AA, shift=SUBPIXEL)
    x, y, w, h = cv2.boundingRect(eye_mask)  # the iris is clipped to the eyes: inside it too
    if w == 0 or h == 0:
        return
    m = eye_mask[y : y + h, x : x + w].astype(np.float32)[..., None] / 255.0
    i = iris[y : y + h, x : x + w].astype(np.float32)[..., None] / 255.0 * m
    out[y : y + h, x : x + w] = m * (1 - i) + i * np.array(IRIS_COLOR, np.float32)


def correspondence_colors(reference: np.ndarray) -> np.ndarray:
    """reference: (478, 3) points of a fixed face (any units) -> (478, 3) colours in [0, 1]:
    each axis normalized over the face's bounding box, so x -> red, y -> green, depth -> blue."""
    ref = np.asarray(reference, np.float64)
    lo, hi = ref.min(0), ref.max(0)
    return ((ref - lo) / np.maximum(hi - lo, 1e-9)).astype(np.float32)
