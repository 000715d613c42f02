"""Move a region of a donor frame onto the edited face through the face mesh's triangles, and
match its colour to the frame it lands in.

Why the mesh: the donor's landmarks and the edited landmarks share the mesh topology (holes
closed, `geometry.face_topology.closed_triangles`), so each triangle maps affinely from one to
the other: an open mouth's teeth land between the edited lips, a closed lid on the edited lid,
whatever the two frames' head poses.

Convention: images float32 RGB [0, 1]; points (478, 2) px; boxes (x0, y0, x1, y1) half-open.
"""

from __future__ import annotations

import cv2
import numpy as np

from render_core.geometry import face_topology as ft

Box = tuple[int, int, int, int]


def triangles_near(points: np.ndarray, centre: np.ndarray, radius: float) -> np.ndarray:
    """Rows of the closed face mesh whose three corners lie within `radius` px of `centre`."""
    tris = ft.closed_triangles()
    near = np.linalg.norm(points - centre, axis=1) <= radius
    return tris[near[tris].all(axis=1)]


def _affine_rows(src: np.ndarray, dst: np.ndarray, tris: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(M, 6) affine maps dst (x, y) -> src per triangle, and (M,) non-degenerate flags."""
    d, s = dst[tris].astype(np.float64), src[tris].astype(np.float64)
    e1, e2 = d[:, 1] - d[:, 0], d[:, 2] - d[:, 0]
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    ok = np.abs(det) > 1e-3
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    i00, i01, i10, i11 = e2[:, 1] * inv, -e2[:, 0] * inv, -e1[:, 1] * inv, e1[:, 0] * inv
    f1, f2 = s[:, 1] - s[:, 0], s[:, 2] - s[:, 0]
    a, b = f1[:, 0] * i00 + f2[:, 0] * i10, f1[:, 0] * i01 + f2[:, 0] * i11
    c, e = f1[:, 1] * i00 + f2[:, 1] * i10, f1[:, 1] * i01 + f2[:, 1] * i11
    tx = s[:, 0, 0] - a * d[:, 0, 0] - b * d[:, 0, 1]
    ty = s[:, 0, 1] - c * d[:, 0, 0] - e * d[:, 0, 1]
    return np.stack([a, b, tx, c, e, ty], axis=1), ok


def warp_region(
    donor: np.ndarray, donor_xy: np.ndarray, dst_xy: np.ndarray, tris: np.ndarray, box: Box
) -> tuple[np.ndarray, np.ndarray]:
    """The donor's pixels moved onto `dst_xy` over `box`: (h, w, 3) image and (h, w) float32
    coverage (1 inside the given triangles, 0 elsewhere)."""
    x0, y0, x1, y1 = box
    table, ok = _affine_rows(donor_xy, dst_xy, tris)
    ids = np.full((y1 - y0, x1 - x0), -1, np.int32)
    corners = np.round((dst_xy[tris] - (x0, y0)) * 16).astype(np.int32)
    for k in np.flatnonzero(ok):
        cv2.fillConvexPoly(ids, corners[k], int(k), lineType=cv2.LINE_8, shift=4)
    inside = ids >= 0
    table = np.concatenate([table, np.zeros((1, 6))]).T.astype(np.float32)  # row M: outside
    ids[~inside] = len(tris)
    gx = np.arange(x0, x1, dtype=np.float32)[None, :]
    gy = np.arange(y0, y1, dtype=np.float32)[:, None]
    c = [np.take(row, ids) for row in table]
    map_x = np.where(inside, c[0] * gx + c[1] * gy + c[2], gx)
    map_y = np.where(inside, c[3] * gx + c[4] * gy + c[5], gy)
    image = cv2.remap(donor, map_x.astype(np.float32), map_y.astype(np.float32), cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    return image, inside.astype(np.float32)


def colour_gain(moved: np.ndarray, target: np.ndarray, band: np.ndarray, limit: float = 0.25) -> np.ndarray:
    """(3,) per-channel gain bringing the moved donor's mean colour over `band` (h, w weights)
    to the target's there: the donor frame's light may differ a little from this frame's."""
    w = band[..., None]
    total = float(band.sum())
    if total < 4.0:
        return np.ones(3, np.float32)
    m_moved = (moved * w).sum(axis=(0, 1)) / total
    m_target = (target * w).sum(axis=(0, 1)) / total
    gain = m_target / np.maximum(m_moved, 1e-3)
    return np.clip(gain, 1.0 - limit, 1.0 + limit).astype(np.float32)


def clip_box(points: np.ndarray, margin: float, shape: tuple[int, int]) -> Box | None:
    """Integer box around `points` grown by `margin` px, inside an image of `shape` (h, w)."""
    x0, y0 = np.floor(points.min(axis=0) - margin).astype(int)
    x1, y1 = np.ceil(points.max(axis=0) + margin).astype(int) + 1
    box = (max(int(x0), 0), max(int(y0), 0), min(int(x1), shape[1]), min(int(y1), shape[0]))
    return box if box[2] > box[0] + 1 and box[3] > box[1] + 1 else None
