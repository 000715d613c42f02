"""Face mesh topology recovered from MediaPipe's tessellation edges."""

from __future__ import annotations

from collections import Counter

import cv2
import numpy as np
from mediapipe.python.solutions.face_mesh_connections import FACEMESH_TESSELATION

from render_core.geometry import face_topology as ft
from tests.core.render.real_frames import tracked_face


def _edge_use(tris: np.ndarray) -> Counter:
    return Counter(e for t in tris for e in ft._tri_edges(tuple(int(v) for v in t)))


def test_triangle_count_and_edge_use():
    tris = ft.mesh_triangles()
    assert 840 <= len(tris) <= 900
    use = _edge_use(tris)
    edges = {(min(a, b), max(a, b)) for a, b in FACEMESH_TESSELATION}
    assert set(use) == edges  # every tessellation edge is used, no other edge appears
    assert max(use.values()) <= 2
    # A disc with three holes: V - E + F = 2 - 4.
    assert ft.NUM_MESH_POINTS - len(edges) + len(tris) == -2


def test_contours_and_holes():
    assert len(ft.face_oval()) == 36
    outer, inner = ft.lips()
    assert 13 in inner and 14 in inner and 0 in outer and 17 in outer
    left, right = ft.eyes()
    assert 263 in left and 33 in right
    closed = ft.closed_triangles()
    use = _edge_use(closed)
    boundary = {e for e, n in use.items() if n == 1}
    oval = ft.face_oval()
    oval_edges = {(min(a, b), max(a, b)) for a, b in zip(oval, oval[1:] + oval[:1], strict=True)}
    assert boundary == oval_edges  # closing the holes leaves only the outer contour open
    assert max(use.values()) == 2


def test_orientation_consistent_and_no_overlap_on_real_face(talking_head):
    frame, lm = tracked_face(talking_head)
    tris = ft.oriented_triangles()
    p = lm[:, :2].astype(np.float64)[tris]
    signed = 0.5 * np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    sign = np.sign(np.median(signed))
    assert np.mean(np.sign(signed) == sign) > 0.97
    union = np.zeros(frame.shape[:2], np.uint8)
    for t in p:
        cv2.fillConvexPoly(union, np.round(t * 16).astype(np.int32), 1, shift=4)
    # Triangles tile the face: summed areas match the covered area (little overlap).
    assert np.abs(signed).sum() / union.sum() < 1.05
