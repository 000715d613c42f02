"""Build `assets/canonical_face_{points,mirror}.npy` once from tracked landmarks of a frontal talking head.

mediapipe 0.10.21's wheel does not ship `canonical_face_model.obj`, so the canonical face is
made from real tracking: every frame of a very frontal clip (the shared A_liveportrait_d18.mp4)
is tracked, the frames are aligned by generalized Procrustes (similarity), averaged, made
exactly left/right symmetric with the mesh's mirror map (nearest neighbour on the x-flipped
mesh, iterated with the symmetry plane), and scaled so the iris centres are 6.3 cm apart.

Run: `python -m render_core.tracking.build_canonical_face CLIP [-o assets/]`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from render_core.geometry.canonical_face import (
    ASSET_DIR,
    INTEROCULAR_CM,
    IRIS_LEFT,
    IRIS_RIGHT,
    MIRROR_FILE,
    POINTS_FILE,
)
from render_core.geometry.rotations import fit_similarity

FLIP = np.array([-1.0, 1.0, 1.0])


def track_frontal_clip(path: str) -> np.ndarray:
    """All valid frames' landmarks (T, 478, 3) px of the clip."""
    from render_core.media.decode import VideoReader
    from render_core.tracking.face import FaceTracker

    out = []
    with VideoReader(path) as reader, FaceTracker() as tracker:
        for _, frame in reader.frames():
            lm = tracker.process(frame)
            if lm is not None:
                out.append(lm)
    return np.stack(out).astype(np.float64)


def procrustes_mean(shapes: np.ndarray, iters: int = 4) -> np.ndarray:
    """shapes: (T, N, 3) -> (N, 3) mean after similarity-aligning every shape to it, centred."""
    ref = shapes[0] - shapes[0].mean(0)
    for _ in range(iters):
        aligned = [fit_similarity(s, ref).apply(s) for s in shapes]
        ref = np.mean(aligned, axis=0)
        ref -= ref.mean(0)
    return ref


def mesh_adjacency(n: int = 478) -> np.ndarray:
    """(n, n) float adjacency of MediaPipe's face tesselation plus iris rings."""
    from mediapipe.python.solutions import face_mesh_connections as fmc

    A = np.zeros((n, n))
    for a, b in fmc.FACEMESH_TESSELATION | fmc.FACEMESH_IRISES:
        A[a, b] = A[b, a] = 1.0
    return A


def greedy_pairs(cost: np.ndarray) -> np.ndarray:
    """Symmetric (N, N) cost -> involution (N,): pairs (i, j), i == j allowed, cheapest first."""
    ii, jj = np.triu_indices(len(cost))
    order = np.argsort(cost[ii, jj], kind="stable")
    mirror = np.full(len(cost), -1)
    for i, j in zip(ii[order], jj[order], strict=True):
        if mirror[i] < 0 and mirror[j] < 0:
            mirror[i], mirror[j] = j, i
    return mirror


def mirror_map(points: np.ndarray, adjacency: np.ndarray, iters: int = 5) -> np.ndarray:
    """(N, 3) roughly symmetric about x = 0 -> (N,) index of each point's mirror partner.

    The cost |flip(p_i) - p_j|^2 is symmetric in (i, j); pairs (a midline point pairs with
    itself) are matched greedily, cheapest first, so the map is an involution. Positions alone
    confuse a dozen crowded points (mouth corners, iris rim), so the cost then rewards pairs
    whose mesh neighbours are mirrors of each other (A P A), which makes it map edges to edges.
    """
    flipped = points * FLIP
    d = ((flipped[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    d /= np.median(np.sort(d, axis=1)[:, 1])
    deg = np.maximum(adjacency.sum(1), 1.0)
    norm = np.sqrt(deg[:, None] * deg[None, :])
    mirror = greedy_pairs(d)
    for _ in range(iters):
        P = np.zeros_like(adjacency)
        P[np.arange(len(mirror)), mirror] = 1.0
        agree = adjacency @ P @ adjacency / norm
        mirror = greedy_pairs(d - 4.0 * agree)
    return mirror


def align_symmetry_plane(points: np.ndarray, mirror: np.ndarray) -> np.ndarray:
    """Rotate/translate so the plane bisecting mirror pairs becomes x = 0 (normal +x)."""
    diffs = points - points[mirror]
    diffs = diffs[np.linalg.norm(diffs, axis=1) > 1e-9]
    diffs *= np.sign(diffs[:, :1])
    n = np.linalg.svd(diffs, full_matrices=False)[2][0]
    n *= np.sign(n[0])
    v = np.cross(n, [1.0, 0.0, 0.0])
    s, c = np.linalg.norm(v), float(n[0])
    K = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    R = np.eye(3) + K + K @ K * ((1 - c) / s**2) if s > 1e-12 else np.eye(3)
    out = points @ R.T
    mid = ((out + out[mirror]) / 2.0)[:, 0].mean()
    return out - np.array([mid, 0.0, 0.0])


def symmetrize(points: np.ndarray, iters: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """-> (exactly symmetric points (N, 3), mirror map (N,)) with a consistent involution."""
    p = points - points.mean(0)
    A = mesh_adjacency(len(p))
    for _ in range(iters):
        mirror = mirror_map(p, A)
        p = align_symmetry_plane(p, mirror)
    mirror = mirror_map(p, A)
    sym = (p + p[mirror] * FLIP) / 2.0
    return sym, mirror


def build(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Canonical points (478, 3) cm (x right, y down, z forward, centred) and mirror map."""
    mean = procrustes_mean(track_frontal_clip(path))
    sym, mirror = symmetrize(mean)
    sym *= INTEROCULAR_CM / np.linalg.norm(sym[IRIS_LEFT] - sym[IRIS_RIGHT])
    sym -= sym.mean(0)
    sym[:, 0] = (sym[:, 0] - sym[mirror, 0]) / 2.0  # exact antisymmetry after centring
    return sym.astype(np.float32), mirror.astype(np.int16)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip")
    ap.add_argument("-o", "--output", default=str(ASSET_DIR), help="folder for the two .npy files")
    a = ap.parse_args(argv)
    points, mirror = build(a.clip)
    out = Path(a.output)
    out.mkdir(parents=True, exist_ok=True)
    # Plain .npy (not .npz): the repo never tracks .npz, which is the tracks-cache format.
    np.save(out / POINTS_FILE, points)
    np.save(out / MIRROR_FILE, mirror.astype(np.int32))
    print(f"wrote {out}: {points.shape}, pairs {int((mirror != np.arange(len(mirror))).sum() // 2)}")


if __name__ == "__main__":
    main()
