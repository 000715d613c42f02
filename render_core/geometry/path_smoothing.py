"""Steadying a camera path: a Gaussian kernel smoother over the captured sequence that can be
evaluated at any fractional index, and an arc-length re-parameterization for constant speed.

Why positions are smoothed in cylindrical coordinates about the subject (azimuth about the
world's up axis through its centre, unwrapped; horizontal distance; height), not as points:
Gaussian smoothing pulls points on a circle inward (to exp(-(sigma*theta)^2 / 2) of the
radius, for views theta radians apart), which a sparse walk-around of 12-30 views shows as a
tighter, higher orbit; an azimuth smooths without that bias. Why rotations are smoothed as
the offset from a camera aimed at the centre (`look_at`), not as they are: those offsets
(roll, a subject off the image centre) stay near the identity however far the walk swings,
so their average is well defined; they are averaged in the chordal sense (the rotation
nearest the weighted mean matrix), which for nearby rotations agrees with a quaternion
average, with no sign to align. The ends are padded by reflecting the sequence through its
first and last camera, so a path keeps its heading at the ends instead of bending inward.

Convention: OpenCV camera-to-world (N, 4, 4) (x right, y down, z forward); `s` is a
fractional index into the sequence (0 .. N-1); sigma is in views; `up` is the world's up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from render_core.geometry.cameras import look_at, rotation_about


def _weights(s: np.ndarray, idx: np.ndarray, sigma: float, radius: int) -> np.ndarray:
    """Row-normalized weights (M, K) of the padded samples `idx` at parameters `s`: a Gaussian
    lowered to reach 0 at `radius`, so the window (never wider than the padding) is whole and
    symmetric everywhere, and a sample entering or leaving it causes no jump."""
    g = lambda d: np.exp(-0.5 * (d / sigma) ** 2)
    floor = g(radius) if radius > 0 else 0.0
    w = np.maximum(g(s[:, None] - idx[None, :]) - floor, 0.0)
    w[np.abs(s[:, None] - idx[None, :]) > radius] = 0.0
    return w / np.maximum(w.sum(1, keepdims=True), 1e-300)


def _nearest_rotations(m: np.ndarray) -> np.ndarray:
    """Proper rotations (M, 3, 3) nearest (Frobenius) to matrices m (M, 3, 3)."""
    u, _, vt = np.linalg.svd(m)
    u[:, :, 2] *= np.sign(np.linalg.det(u @ vt))[:, None]
    return u @ vt


def _line_start(window: np.ndarray) -> np.ndarray:
    """The value (D,) at the first of `window` (m, D) of a least-squares line through it: an
    end steadied as much as the views after it, not pinned to a shaky first view."""
    if len(window) < 2:
        return window[0]
    return np.polyfit(np.arange(len(window), dtype=np.float64), window, 1)[1]


def _mean_rotation(window: np.ndarray) -> np.ndarray:
    """The chordal mean (3, 3) of rotations `window` (m, 3, 3)."""
    return _nearest_rotations(window.mean(0, keepdims=True))[0]


def aim_at(rot: np.ndarray, pos: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Camera-to-world rotation `rot` (3, 3) turned by the least rotation that puts `target`
    (3,) on the optical axis (+z) of a camera at `pos` (3,); roll is kept."""
    to = target - pos
    if np.linalg.norm(to) < 1e-12:
        return rot
    to = to / np.linalg.norm(to)
    axis = np.cross(rot[:, 2], to)
    sin, cos = float(np.linalg.norm(axis)), float(rot[:, 2] @ to)
    if sin < 1e-12:
        return rot if cos > 0 else rotation_about(rot[:, 1], math.pi) @ rot
    return rotation_about(axis, math.atan2(sin, cos)) @ rot


@dataclass(frozen=True)
class PathSmoother:
    """The smoothed path of cameras `c2w` (N, 4, 4) walking about the subject's `center` (3,)
    with the world's `up` (3,); `sigma` > 0 views (larger: steadier, further from the walk)."""

    c2w: np.ndarray
    center: np.ndarray
    up: np.ndarray
    sigma: float = 3.0

    @property
    def radius(self) -> int:
        """The smoothing window's half width in views: 3 sigma, at most the views there are."""
        return min(int(math.ceil(3 * self.sigma)), len(self.c2w) - 1)

    def _padded(self, values: np.ndarray, anchor, reflect) -> tuple[np.ndarray, np.ndarray]:
        """(sample positions (K,), values (K, ...)): `values` (N, ...) with `radius` views
        added at each end, mirrored by `reflect(a, views)` through `a = anchor(window)`, the
        end's value fitted to the window of views nearest it (nearest first)."""
        n, r = len(values), self.radius
        k = np.arange(1, r + 1)
        head = reflect(anchor(values[: r + 1]), values[k[::-1]])
        tail = reflect(anchor(values[::-1][: r + 1]), values[n - 1 - k])
        idx = np.concatenate([-k[::-1], np.arange(n), n - 1 + k]).astype(np.float64)
        return idx, np.concatenate([head, values, tail])

    def _axes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(up, e1, e2): e1 the first camera's horizontal direction from the centre."""
        up = self.up / np.linalg.norm(self.up)
        d0 = self.c2w[0, :3, 3] - self.center
        e1 = d0 - (d0 @ up) * up
        if np.linalg.norm(e1) < 1e-9:  # the first camera is on the up axis through the centre
            e1 = np.cross(up, [1.0, 0.0, 0.0] if abs(up[0]) < 0.9 else [0.0, 1.0, 0.0])
        e1 = e1 / np.linalg.norm(e1)
        return up, e1, np.cross(up, e1)

    def positions(self, s: np.ndarray) -> np.ndarray:
        """Smoothed camera centres (M, 3) at fractional indices s (M,)."""
        up, e1, e2 = self._axes()
        d = self.c2w[:, :3, 3] - self.center
        cyl = np.stack([np.unwrap(np.arctan2(d @ e2, d @ e1)), np.hypot(d @ e1, d @ e2), d @ up], 1)
        idx, cyl = self._padded(cyl, _line_start, lambda end, v: 2 * end - v)
        phi, rho, height = (_weights(np.asarray(s, np.float64), idx, self.sigma, self.radius) @ cyl).T
        rho = np.maximum(rho, 0.0)
        around = np.cos(phi)[:, None] * e1 + np.sin(phi)[:, None] * e2
        return self.center + rho[:, None] * around + height[:, None] * up

    def _aimed_frame(self, pos: np.ndarray) -> np.ndarray:
        """Rotation (3, 3) of a camera at `pos` looking at the centre, its -y toward up."""
        return look_at(pos, self.center, self.up)[:3, :3]

    def rotations(self, s: np.ndarray) -> np.ndarray:
        """Smoothed camera-to-world rotations (M, 3, 3) at fractional indices s (M,)."""
        s = np.asarray(s, np.float64)
        offsets = np.stack([self._aimed_frame(m[:3, 3]).T @ m[:3, :3] for m in self.c2w])
        idx, offsets = self._padded(offsets, _mean_rotation, lambda end, v: end @ np.swapaxes(v, 1, 2) @ end)
        mean = _nearest_rotations(
            np.einsum("mk,kij->mij", _weights(s, idx, self.sigma, self.radius), offsets)
        )
        return np.stack([self._aimed_frame(p) @ o for p, o in zip(self.positions(s), mean, strict=True)])

    def camera_to_world(self, s: np.ndarray, aim: bool = True) -> np.ndarray:
        """Smoothed cameras (M, 4, 4) at fractional indices s (M,); with `aim`, each turned
        the least amount that keeps the subject's centre on its optical axis."""
        s = np.asarray(s, np.float64)
        pos, rot = self.positions(s), self.rotations(s)
        out = np.tile(np.eye(4), (len(s), 1, 1))
        out[:, :3, 3] = pos
        out[:, :3, :3] = [aim_at(r, p, self.center) if aim else r for r, p in zip(rot, pos, strict=True)]
        return out

    def constant_speed(self, frames: int, density: int = 8) -> np.ndarray:
        """Fractional indices (frames,) from the first view to the last, equally spaced in
        distance travelled along the smoothed path (evenly in index if it does not move)."""
        n = len(self.c2w)
        grid = np.linspace(0.0, n - 1, max(density * n, 2 * frames))
        steps = np.linalg.norm(np.diff(self.positions(grid), axis=0), axis=1)
        length = np.concatenate([[0.0], np.cumsum(steps)])
        if length[-1] < 1e-12:
            return np.linspace(0.0, n - 1, frames)
        return np.interp(np.linspace(0.0, length[-1], frames), length, grid)
