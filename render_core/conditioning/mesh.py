"""Face-mesh triangles and per-vertex normals for the conditioning renders.

Convention: MediaPipe FaceMesh vertex ids (478 with iris); triangles (M, 3) int64. Normals are
computed in the coordinates given (crop pixels: x right, y down, z depth smaller = nearer) and
oriented toward the camera (n_z <= 0).
"""

from __future__ import annotations

import numpy as np

from render_core.geometry import face_topology


def face_triangles() -> np.ndarray:
    """(M, 3) int64 surface triangles of MediaPipe's tessellation (eye and mouth holes open)."""
    return face_topology.mesh_triangles().astype(np.int64)


def vertex_normals(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """vertices: (V, 3) -> (V, 3) unit normals, area-weighted, facing the camera (n_z <= 0)."""
    p = vertices[triangles]
    fn = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    fn *= np.where(fn[:, 2:3] > 0, -1.0, 1.0)
    vn = np.zeros_like(vertices, dtype=np.float64)
    for k in range(3):
        np.add.at(vn, triangles[:, k], fn)
    norm = np.linalg.norm(vn, axis=1, keepdims=True)
    vn = np.where(norm > 0, vn / np.maximum(norm, 1e-12), np.array([0.0, 0.0, -1.0]))
    return vn.astype(np.float32)
