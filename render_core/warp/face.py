"""Piecewise-affine face warp from tracked to edited landmarks (the classical renderer's face path).

The face mesh (holes closed, see geometry.face_topology) plus a ring of fixed anchor points
around the face oval is rasterized in the *destination* layout into a triangle-id buffer; each
pixel then maps back to the source through its triangle's affine matrix and one cv2.remap
resamples the frame. The anchor ring makes the displacement fall off linearly to zero outside the
face, so the background never tears. Two local corrections follow: the iris disc is moved with
the iris centre inside the eye opening (gaze), and a mouth opening wider than in the source is
filled from a donor frame of the clip (`warp.mouth_retrieval`: the person's own teeth), or with
a dark interior where no donor is given (mouth_interior.fill_mouth); a shown opening the edit
closes takes the donor's closed lips; an eye the edit closes is
filled likewise from a donor frame with that eye state (`warp.eyelids`), or shaded as skin.

Convention: frame (H, W, 3) float32 RGB [0, 1]; landmarks (478, 3) px (x right, y down, z relative
depth, smaller = nearer); iris (2, 2) px centres [subject's left, subject's right].
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from render_core.geometry import face_topology as ft
from render_core.warp.donor import Donor
from render_core.warp.eyelids import close_eye
from render_core.warp.mouth_interior import fill_mouth
from render_core.warp.mouth_retrieval import opening_grew, opening_shrank, paste_mouth


@dataclass(frozen=True)
class FaceWarpConfig:
    """border: anchor-ring distance beyond the oval, as a fraction of face size (the ring also
    grows by 1.5x the oval's largest move, so a big edit still spreads its stretch); past the
    face everything the ring holds (hair, ears, the wall) bends with the head, and on a moving
    head that bending is what the eye reads as a wobbling background (0.3 -> 0.1: reenactment
    E_warp 1.39x -> 1.29x of the target's own video, docs/performance.md).
    mask_px: displacement (px) that counts as a full change in the output mask.
    iris_falloff: the iris shift fades to zero at this many iris radii from the iris centre.
    feather_px: Gaussian sigma softening the mask edge (after a 2 px dilation).
    interpolation: cv2 filter enlarging the source `supersample` times before a bilinear read
    (`_resample`); with supersample 1, the filter sampling the moved pixels directly. Bilinear
    sampling at fractional offsets softens the face by a quarter; bicubic sampling keeps it
    sharp but shimmers as the head moves; Lanczos at 2x keeps most of the detail and half of
    the shimmer's cost (docs/performance.md)."""

    border: float = 0.1
    mask_px: float = 0.5
    iris_falloff: float = 2.2
    mouth_fill: bool = True
    feather_px: float = 2.0
    interpolation: int = cv2.INTER_LANCZOS4
    supersample: int = 2


@dataclass(frozen=True)
class _Box:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """Sparse pixel coordinates: x (1, w) and y (h, 1), broadcasting to (h, w)."""
        xs = np.arange(self.x0, self.x1, dtype=np.float32)
        ys = np.arange(self.y0, self.y1, dtype=np.float32)
        return xs[None, :], ys[:, None]


def _anchor_ring(src_xy: np.ndarray, dst_xy: np.ndarray, border: float) -> tuple[np.ndarray, np.ndarray]:
    """Anchors (36, 2) px pushed out from the source oval; and the ring's (72, 3) triangles over
    point indices (oval ids, anchors numbered 478 + k). Anchors stay put (identity)."""
    oval = np.array(ft.face_oval())
    o = src_xy[oval]
    centre = o.mean(axis=0)
    size = float(np.max(o.max(axis=0) - o.min(axis=0)))
    moved = float(np.max(np.linalg.norm(dst_xy[oval] - o, axis=1)))
    radial = o - centre
    radial /= np.maximum(np.linalg.norm(radial, axis=1, keepdims=True), 1e-6)
    anchors = o + radial * (border * size + 1.5 * moved)
    n = len(oval)
    ids = ft.NUM_POINTS + np.arange(n)
    nxt = np.roll(np.arange(n), -1)
    tris = np.concatenate(
        [np.stack([oval, oval[nxt], ids], 1), np.stack([oval[nxt], ids[nxt], ids], 1)]
    ).astype(np.int32)
    return anchors, tris


def _affine_table(
    src_pts: np.ndarray, dst_pts: np.ndarray, tris: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-triangle (M, 6) affine [a, b, c, d, e, f] mapping dst (x, y) -> src (ax + by + c,
    dx + ey + f), closed form; and (M,) bool for non-degenerate dst triangles."""
    d = dst_pts[tris].astype(np.float64)  # (M, 3, 2)
    s = src_pts[tris].astype(np.float64)
    e1, e2 = d[:, 1] - d[:, 0], d[:, 2] - d[:, 0]
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    ok = np.abs(det) > 1e-3
    inv_det = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    # inverse of the 2x2 [e1 e2] (columns), then linear part = [s1 - s0, s2 - s0] @ inverse
    i00, i01, i10, i11 = e2[:, 1] * inv_det, -e2[:, 0] * inv_det, -e1[:, 1] * inv_det, e1[:, 0] * inv_det
    f1, f2 = s[:, 1] - s[:, 0], s[:, 2] - s[:, 0]
    a = f1[:, 0] * i00 + f2[:, 0] * i10
    b = f1[:, 0] * i01 + f2[:, 0] * i11
    dd = f1[:, 1] * i00 + f2[:, 1] * i10
    e = f1[:, 1] * i01 + f2[:, 1] * i11
    c = s[:, 0, 0] - a * d[:, 0, 0] - b * d[:, 0, 1]
    f = s[:, 0, 1] - dd * d[:, 0, 0] - e * d[:, 0, 1]
    return np.stack([a, b, c, dd, e, f], axis=1).astype(np.float32), ok


def _raster_ids(dst_pts: np.ndarray, tris: np.ndarray, order: np.ndarray, box: _Box) -> np.ndarray:
    """Triangle-id buffer over the box (-1 outside the mesh); later triangles in `order` win."""
    ids = np.full((box.y1 - box.y0, box.x1 - box.x0), -1, np.int32)
    corners = np.round((dst_pts[tris] - (box.x0, box.y0)) * 16).astype(np.int32)  # 4-bit subpixel
    for k in order:
        cv2.fillConvexPoly(ids, corners[k], int(k), lineType=cv2.LINE_8, shift=4)
    return ids


def _backward_map(
    src_pts: np.ndarray, dst_pts: np.ndarray, tris: np.ndarray, depth: np.ndarray, box: _Box
) -> tuple[np.ndarray, np.ndarray]:
    """Absolute source coordinates (map_x, map_y) for every pixel of the box."""
    table, ok = _affine_table(src_pts, dst_pts, tris)
    order = np.argsort(-depth, kind="stable")  # far first, so nearer triangles overwrite folds
    ids = _raster_ids(dst_pts, tris, order[ok[order]], box)
    ids[ids < 0] = len(tris)  # the extra last row is the identity (outside the mesh)
    table = np.concatenate([table, np.array([[1, 0, 0, 0, 1, 0]], np.float32)]).T  # (6, M + 1)
    gx, gy = box.grid
    c = [np.take(row, ids) for row in table]
    return c[0] * gx + c[1] * gy + c[2], c[3] * gx + c[4] * gy + c[5]


def _move_iris(
    maps: tuple[np.ndarray, np.ndarray],
    box: _Box,
    dst_xy: np.ndarray,
    src_xy: np.ndarray,
    iris: tuple[np.ndarray, np.ndarray],
    falloff: float,
) -> None:
    """Shift the source sampling inside each dst eye opening so the iris centre maps onto the
    source iris centre (in place). iris: (src (2, 2), dst (2, 2)) px, [left, right]."""
    map_x, map_y = maps
    gx, gy = box.grid
    for side, (contour, ring) in enumerate(
        zip(ft.eyes(), (ft.LEFT_IRIS_RING, ft.RIGHT_IRIS_RING), strict=True)
    ):
        c_s, c_d = iris[0][side].astype(np.float32), iris[1][side].astype(np.float32)
        xi, yi = int(round(c_d[0])) - box.x0, int(round(c_d[1])) - box.y0
        if not (0 <= xi < map_x.shape[1] and 0 <= yi < map_x.shape[0]):
            continue
        # Where the mesh warp alone sends the dst iris centre (its displacement at that pixel).
        disp = np.array([map_x[yi, xi] - xi - box.x0, map_y[yi, xi] - yi - box.y0], np.float32)
        v = c_s - (c_d + disp)
        if float(np.hypot(*v)) < 0.05:
            continue
        radius = max(float(np.mean(np.linalg.norm(src_xy[list(ring)] - c_s, axis=1))), 1.0)
        eye = np.zeros(map_x.shape, np.uint8)
        cv2.fillPoly(eye, [np.round((dst_xy[list(contour)] - (box.x0, box.y0)) * 16).astype(np.int32)], 255,
                     lineType=cv2.LINE_AA, shift=4)  # fmt: skip
        d = np.hypot(gx - c_d[0], gy - c_d[1]) / radius
        u = np.clip((d - 1.0) / (falloff - 1.0), 0.0, 1.0)
        w = (1.0 - u * u * (3.0 - 2.0 * u)) * (eye.astype(np.float32) / 255.0)
        map_x += w * v[0]
        map_y += w * v[1]


def _face_box(pts: np.ndarray, shape: tuple[int, int]) -> _Box | None:
    x0, y0 = np.floor(pts.min(axis=0)).astype(int) - 1
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int) + 2
    box = _Box(max(x0, 0), max(y0, 0), min(x1, shape[1]), min(y1, shape[0]))
    return box if box.x1 > box.x0 and box.y1 > box.y0 else None


def _resample(frame: np.ndarray, maps: tuple[np.ndarray, np.ndarray], config: FaceWarpConfig) -> np.ndarray:
    """The frame sampled at `maps` (absolute source px). With `supersample` k > 1 the source
    region is first enlarged k times by `interpolation`, on the frame's own pixel grid (the same
    filter every frame), then read bilinearly: the filter no longer depends on where between two
    pixels a sample falls, so fine lines (glasses, lip edges) keep their contrast from frame to
    frame instead of shimmering as the head moves."""
    k = config.supersample
    h, w = frame.shape[:2]
    x0, y0 = max(int(np.floor(maps[0].min())) - 3, 0), max(int(np.floor(maps[1].min())) - 3, 0)
    x1, y1 = min(int(np.ceil(maps[0].max())) + 4, w), min(int(np.ceil(maps[1].max())) + 4, h)
    if k <= 1 or x1 <= x0 or y1 <= y0:
        return cv2.remap(frame, maps[0], maps[1], config.interpolation, borderMode=cv2.BORDER_REPLICATE)
    big = cv2.resize(frame[y0:y1, x0:x1], None, fx=k, fy=k, interpolation=config.interpolation)
    mx, my = (maps[0] - (x0 - 0.5)) * k - 0.5, (maps[1] - (y0 - 0.5)) * k - 0.5
    return cv2.remap(big, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def warp_face(
    frame: np.ndarray,
    src_landmarks: np.ndarray,
    dst_landmarks: np.ndarray,
    src_iris: np.ndarray | None = None,
    dst_iris: np.ndarray | None = None,
    config: FaceWarpConfig = FaceWarpConfig(),
    mouth_donor: Donor | None = None,
    eye_donors: tuple[Donor | None, Donor | None] = (None, None),
) -> tuple[np.ndarray, np.ndarray]:
    """Warp the face so its landmarks move from src to dst.

    frame: (H, W, 3) float32 RGB [0, 1]. src/dst_landmarks: (478, 3) px. src/dst_iris: (2, 2) px
    [left, right] iris centres (default: landmarks 473 and 468). mouth_donor / eye_donors: clip
    frames lending an opened mouth its interior and closed eyes [left, right] their lids.
    Returns (image (H, W, 3) float32, mask (H, W) float32 [0, 1] where pixels changed, feathered).
    """
    src = np.asarray(src_landmarks, np.float32)
    dst = np.asarray(dst_landmarks, np.float32)
    for name, lm in (("src_landmarks", src), ("dst_landmarks", dst)):
        if lm.shape != (ft.NUM_POINTS, 3) or not np.isfinite(lm).all():
            raise ValueError(f"warp_face: {name} must be finite (478, 3) px, got shape {lm.shape}")
    iris_idx = [ft.LEFT_IRIS_CENTER, ft.RIGHT_IRIS_CENTER]
    s_iris = src[iris_idx, :2] if src_iris is None else np.asarray(src_iris, np.float32)
    d_iris = dst[iris_idx, :2] if dst_iris is None else np.asarray(dst_iris, np.float32)
    out, mask = frame.copy(), np.zeros(frame.shape[:2], np.float32)
    if np.abs(dst[:, :2] - src[:, :2]).max() < 1e-4 and np.abs(d_iris - s_iris).max() < 1e-4:
        return out, mask
    anchors, ring = _anchor_ring(src[:, :2], dst[:, :2], config.border)
    src_pts = np.concatenate([src[:, :2], anchors])
    dst_pts = np.concatenate([dst[:, :2], anchors])
    tris = np.concatenate([ring, ft.closed_triangles()])
    z = np.concatenate([dst[:, 2], np.full(len(anchors), np.inf, np.float32)])
    depth = z[tris].mean(axis=1)
    box = _face_box(dst_pts, frame.shape[:2])
    if box is None:
        return out, mask
    maps = _backward_map(src_pts, dst_pts, tris, depth, box)
    _move_iris(maps, box, dst[:, :2], src[:, :2], (s_iris, d_iris), config.iris_falloff)
    gx, gy = box.grid
    patch = _resample(frame, maps, config)
    np.clip(patch, 0.0, 1.0, out=patch)  # Lanczos and bicubic overshoot at edges
    changed = np.clip(np.hypot(maps[0] - gx, maps[1] - gy) / config.mask_px, 0.0, 1.0)
    still = changed == 0  # unmoved pixels stay the frame's own (the enlarged source is filtered)
    patch[still] = frame[box.y0 : box.y1, box.x0 : box.x1][still]
    origin = (box.x0, box.y0)
    if config.mouth_fill:
        done = False
        if mouth_donor is not None and opening_grew(src[:, :2], dst[:, :2]):
            done = paste_mouth(patch, changed, origin, dst[:, :2], mouth_donor)
        elif mouth_donor is not None and opening_shrank(src[:, :2], dst[:, :2]):
            done = paste_mouth(patch, changed, origin, dst[:, :2], mouth_donor, whole_lips=True)
        if not done:
            patch, changed = fill_mouth(frame, patch, changed, origin, src[:, :2], dst[:, :2])
    for side in (0, 1):
        close_eye(patch, changed, origin, src[:, :2], dst[:, :2], side, eye_donors[side])
    out[box.y0 : box.y1, box.x0 : box.x1] = patch
    grown = cv2.dilate(changed, np.ones((5, 5), np.uint8))
    mask[box.y0 : box.y1, box.x0 : box.x1] = cv2.GaussianBlur(grown, (0, 0), config.feather_px)
    return out, mask
