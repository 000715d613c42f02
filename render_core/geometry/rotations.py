"""Rotation matrices, Euler angles and rigid/similarity fits.

Convention: OpenCV camera axes (x right, y down, z forward, away from the camera). Rotations
are 3x3 matrices acting on column vectors. Euler angles are radians, composed as
`R = Ry(yaw) @ Rx(pitch) @ Rz(roll)` (yaw about y, then pitch about the new x, then roll about
the new z). For a head whose nose points at the camera (-z in head space), with this order:
positive yaw turns the nose toward the image's left (-x; the subject turns to their right),
positive pitch tilts the nose down (+y), positive roll tilts the top of the head toward the
image's right (+x, clockwise on screen).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def rot_x(a: float) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(a: float) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(a: float) -> np.ndarray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def euler_to_matrix(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """(yaw, pitch, roll) radians -> (3, 3) R = Ry(yaw) @ Rx(pitch) @ Rz(roll)."""
    return rot_y(yaw) @ rot_x(pitch) @ rot_z(roll)


def matrix_to_euler(R: np.ndarray) -> tuple[float, float, float]:
    """(3, 3) rotation -> (yaw, pitch, roll) radians, inverse of `euler_to_matrix`.

    pitch is in [-pi/2, pi/2]; at gimbal lock (|pitch| = pi/2) roll is set to 0.
    """
    R = np.asarray(R, np.float64)
    pitch = float(np.arcsin(np.clip(-R[1, 2], -1.0, 1.0)))
    if abs(R[1, 2]) < 1.0 - 1e-9:
        yaw = float(np.arctan2(R[0, 2], R[2, 2]))
        roll = float(np.arctan2(R[1, 0], R[1, 1]))
    else:  # cos(pitch) == 0: yaw and roll share one axis; put it all in yaw
        yaw = float(np.arctan2(-R[2, 0], R[0, 0]))
        roll = 0.0
    return yaw, pitch, roll


def rotation_angle(R1: np.ndarray, R2: np.ndarray) -> float:
    """Geodesic angle (radians, in [0, pi]) of the rotation taking R1 to R2."""
    c = (np.trace(np.asarray(R1).T @ np.asarray(R2)) - 1.0) / 2.0
    return float(np.arccos(np.clip(c, -1.0, 1.0)))


def project_to_rotation(M: np.ndarray) -> np.ndarray:
    """Nearest proper rotation (det +1) to a 3x3 matrix, in the Frobenius sense."""
    U, _, Vt = np.linalg.svd(np.asarray(M, np.float64))
    D = np.diag([1.0, 1.0, np.sign(np.linalg.det(U @ Vt))])
    return U @ D @ Vt


@dataclass(frozen=True)
class Similarity:
    """dst ~= scale * R @ src + t. R: (3, 3), t: (3,)."""

    scale: float
    R: np.ndarray
    t: np.ndarray

    def apply(self, pts: np.ndarray) -> np.ndarray:
        """pts: (N, 3) -> (N, 3)."""
        return self.scale * np.asarray(pts) @ self.R.T + self.t


def fit_similarity(
    src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None = None, with_scale: bool = True
) -> Similarity:
    """Umeyama (1991) least-squares fit of dst ~ s R src + t; Kabsch when with_scale=False.

    src, dst: (N, 3) corresponding points; weights: (N,) >= 0 or None. Reflections are
    excluded (det R = +1).
    """
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    w = np.ones(len(src)) if weights is None else np.asarray(weights, np.float64)
    w = w / w.sum()
    mu_s, mu_d = w @ src, w @ dst
    xs, xd = src - mu_s, dst - mu_d
    cov = (xd * w[:, None]).T @ xs
    U, S, Vt = np.linalg.svd(cov)
    d = np.sign(np.linalg.det(U @ Vt))
    D = np.diag([1.0, 1.0, d])
    R = U @ D @ Vt
    var_s = float(w @ (xs**2).sum(axis=1))
    scale = float((S * np.diag(D)).sum() / var_s) if with_scale else 1.0
    t = mu_d - scale * R @ mu_s
    return Similarity(scale, R, t)
