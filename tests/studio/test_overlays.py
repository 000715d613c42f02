"""Overlay geometry: the mesh and skeleton lines join the tracked points the edges name."""

from __future__ import annotations

import numpy as np

from studio.overlays import _lines


def test_lines_join_the_points_each_edge_names(qapp):
    points = np.array([[1.5, 2.0, 0.1], [10.0, -3.25, 0.2], [7.0, 8.0, 0.0]])
    edges = np.array([[0, 1], [2, 0], [1, 2]])
    got = [(ln.x1(), ln.y1(), ln.x2(), ln.y2()) for ln in _lines(points, edges)]
    assert got == [(1.5, 2.0, 10.0, -3.25), (7.0, 8.0, 1.5, 2.0), (10.0, -3.25, 7.0, 8.0)]
