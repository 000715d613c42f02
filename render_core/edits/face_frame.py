"""The face's own axes and size, measured from its landmarks, and the deformation helpers.

Edits are defined along the *face's* directions (its up, the subject's left, out of the face)
measured from the landmarks themselves, so they hold whatever axis convention the head space
uses (y up or y down) and whatever the head pose.

Convention: points are (478, 3) head-space landmarks (head units, ~cm). `size` is the distance
between the outer eye corners (33, 263): expression-invariant, about 9 cm on an adult.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from render_core.edits import face_regions as R


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    if n < 1e-12:
        raise ValueError("degenerate face landmarks (coincident reference points)")
    return v / n


@dataclass(frozen=True)
class FaceFrame:
    """left: unit vector toward the subject's left; up: toward the forehead; out: out of the
    face (where the nose points); centre: approximate head rotation centre; size: eye span."""

    left: np.ndarray
    up: np.ndarray
    out: np.ndarray
    centre: np.ndarray
    size: float


def face_frame(points: np.ndarray) -> FaceFrame:
    """Axes from the eye corners (left), chin -> forehead (up, orthogonalized) and the nose.

    The rotation centre is the face-oval centroid moved back by 0.6 eye spans (~5 cm): roughly
    where the neck's rotation axes cross, behind the eyes.
    """
    p = np.asarray(points, np.float64)
    left = _unit(p[R.LEFT_EYE_CORNERS[0]] - p[R.RIGHT_EYE_CORNERS[0]])
    up_raw = p[R.FOREHEAD_TOP] - p[R.CHIN]
    up = _unit(up_raw - left * (up_raw @ left))
    out = np.cross(left, up)
    oval_c = p[list(R.FACE_OVAL)].mean(axis=0)
    if (p[R.NOSE_TIP] - oval_c) @ out < 0:
        out = -out
    size = float(np.linalg.norm(p[R.LEFT_EYE_CORNERS[0]] - p[R.RIGHT_EYE_CORNERS[0]]))
    return FaceFrame(left, up, out, oval_c - 0.6 * size * out, size)


def rotation_toward(a: np.ndarray, b: np.ndarray, angle: float) -> np.ndarray:
    """(3, 3) rotation by `angle` radians about a x b, turning unit vector a toward b
    (a and b orthogonal unit vectors)."""
    k = _unit(np.cross(a, b))
    K = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + np.sin(angle) * K + (1.0 - np.cos(angle)) * (K @ K)


def rotate_about(points: np.ndarray, R3: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """points: (N, 3) rotated by R3 about `centre`."""
    return (np.asarray(points, np.float64) - centre) @ R3.T + centre


def spread(points: np.ndarray, handles: np.ndarray, disp: np.ndarray, sigma: float) -> np.ndarray:
    """Smooth displacement field from handle landmarks, (N, 3).

    Handles keep exactly their displacement (zero for pinned ones). Every other point gets a
    Gaussian-weighted mean of the handle displacements, attenuated where the total weight is
    below 1 (far from every handle): d_j = sum_i g_ij d_i / max(1, sum_i g_ij),
    g_ij = exp(-|p_j - p_i|^2 / (2 sigma^2)). Pinned handles thus damp motion near them.
    """
    p = np.asarray(points, np.float64)
    h = np.asarray(handles, np.int64)
    d2 = ((p[:, None, :] - p[h][None, :, :]) ** 2).sum(-1)
    g = np.exp(-d2 / (2.0 * sigma * sigma))
    out = (g @ disp) / np.maximum(g.sum(axis=1), 1.0)[:, None]
    out[h] = disp
    return out
