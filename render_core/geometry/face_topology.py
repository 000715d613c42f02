"""Topology of the MediaPipe face mesh: triangles, ordered contours and landmark index sets.

MediaPipe ships the tessellation only as an edge set; the triangles are recovered here as the
3-cycles of that graph that are faces of the mesh. The surface is a disc with three holes (two
eye openings and the mouth), so V - E + F = 2 - 4: with 468 vertices and 1322 edges it has
exactly 852 faces. A 3-cycle that is not a face (a "separating" triangle) shows up as a triangle
all of whose edges are already shared by two other triangles; those are removed.

Convention: indices refer to the 478-point refined mesh (468 surface points + 10 iris points).
"Left"/"right" are the *subject's* (MediaPipe's LEFT_EYE is on the image's right for an unmirrored
frontal face). Contours are ordered cycles (first point not repeated).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache

import numpy as np

NUM_MESH_POINTS = 468
NUM_POINTS = 478
IRIS_POINTS = tuple(range(468, 478))
LEFT_IRIS_CENTER = 473  # subject's left, ring 474-477
RIGHT_IRIS_CENTER = 468  # subject's right, ring 469-472
LEFT_IRIS_RING = (474, 475, 476, 477)
RIGHT_IRIS_RING = (469, 470, 471, 472)
# Corners that split a hole contour into its two lids / lips (used for stable triangulation).
LEFT_EYE_CORNERS = (263, 362)
RIGHT_EYE_CORNERS = (33, 133)
MOUTH_CORNERS = (78, 308)


def _edges(connections) -> set[tuple[int, int]]:
    return {(min(a, b), max(a, b)) for a, b in connections}


def _cycle(connections) -> tuple[int, ...]:
    """Order a single closed contour given as an edge set."""
    adj: dict[int, list[int]] = defaultdict(list)
    for a, b in _edges(connections):
        adj[a].append(b)
        adj[b].append(a)
    start = min(adj)
    order, prev, cur = [start], None, start
    while True:
        nxt = adj[cur][0] if adj[cur][0] != prev else adj[cur][1]
        if nxt == start:
            return tuple(order)
        order.append(nxt)
        prev, cur = cur, nxt


def _components(connections) -> list[set[tuple[int, int]]]:
    """Split an edge set into connected components (e.g. outer and inner lip contours)."""
    edges = _edges(connections)
    parent = {v: v for e in edges for v in e}

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for e in edges:
        groups[find(e[0])].add(e)
    return list(groups.values())


def _tri_edges(t: tuple[int, int, int]) -> list[tuple[int, int]]:
    a, b, c = sorted(t)
    return [(a, b), (a, c), (b, c)]


@lru_cache(maxsize=1)
def mesh_triangles() -> np.ndarray:
    """(852, 3) int32 vertex indices of the surface triangles (unoriented; sorted per row)."""
    from mediapipe.python.solutions.face_mesh_connections import FACEMESH_TESSELATION

    edges = _edges(FACEMESH_TESSELATION)
    adj: dict[int, set[int]] = defaultdict(set)
    for a, b in edges:
        adj[a].add(b)
        adj[b].add(a)
    tris = {tuple(sorted((a, b, c))) for a, b in edges for c in adj[a] & adj[b]}
    use = Counter(e for t in tris for e in _tri_edges(t))
    # A separating 3-cycle over-uses every one of its edges; drop those until none remain.
    for t in sorted(tris):
        if all(use[e] > 2 for e in _tri_edges(t)):
            tris.discard(t)
            for e in _tri_edges(t):
                use[e] -= 1
    return np.array(sorted(tris), np.int32)


@lru_cache(maxsize=1)
def oriented_triangles() -> np.ndarray:
    """(852, 3) int32 surface triangles with one consistent winding (each shared edge is walked in
    opposite directions by its two triangles), propagated breadth-first from triangle 0."""
    tris = [list(t) for t in mesh_triangles()]
    by_edge: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k, t in enumerate(tris):
        for e in _tri_edges(tuple(t)):
            by_edge[e].append(k)
    seen, queue = {0}, [0]
    while queue:
        k = queue.pop()
        t = tris[k]
        for i in range(3):
            a, b = t[i], t[(i + 1) % 3]
            for n in by_edge[(min(a, b), max(a, b))]:
                if n in seen:
                    continue
                u = tris[n]
                if any(u[j] == a and u[(j + 1) % 3] == b for j in range(3)):
                    u.reverse()  # same direction as the neighbour: flip to oppose it
                seen.add(n)
                queue.append(n)
    return np.array(tris, np.int32)


@lru_cache(maxsize=1)
def face_oval() -> tuple[int, ...]:
    """Ordered outer contour of the face (36 points)."""
    from mediapipe.python.solutions.face_mesh_connections import FACEMESH_FACE_OVAL

    return _cycle(FACEMESH_FACE_OVAL)


@lru_cache(maxsize=1)
def lips() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(outer, inner) ordered lip contours (20 points each); inner bounds the mouth interior."""
    from mediapipe.python.solutions.face_mesh_connections import FACEMESH_LIPS

    outer, inner = None, None
    for comp in _components(FACEMESH_LIPS):
        cyc = _cycle(comp)
        if 13 in cyc:
            inner = cyc
        else:
            outer = cyc
    return outer, inner


@lru_cache(maxsize=1)
def eyes() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(left, right) ordered eye-opening contours of the subject (16 points each)."""
    from mediapipe.python.solutions.face_mesh_connections import FACEMESH_LEFT_EYE, FACEMESH_RIGHT_EYE

    return _cycle(FACEMESH_LEFT_EYE), _cycle(FACEMESH_RIGHT_EYE)


def _zipper(contour: tuple[int, ...], corners: tuple[int, int]) -> list[tuple[int, int, int]]:
    """Triangulate a hole between its two chains (corner to corner) as a strip: a fixed topology
    that stays valid as the hole opens or closes (closing only makes triangles degenerate)."""
    i0, i1 = contour.index(corners[0]), contour.index(corners[1])
    n = len(contour)
    rolled = contour[i0:] + contour[:i0]
    k = (i1 - i0) % n
    a = list(rolled[: k + 1])  # corner0 -> corner1 along one chain
    b = [rolled[0]] + list(reversed(rolled[k:]))  # corner0 -> corner1 along the other
    tris, i, j = [], 0, 0
    while i < len(a) - 1 or j < len(b) - 1:
        adv_a = j >= len(b) - 1 or (i < len(a) - 1 and (i + 1) / (len(a) - 1) <= (j + 1) / (len(b) - 1))
        if adv_a:
            tris.append((a[i], a[i + 1], b[j]))
            i += 1
        else:
            tris.append((a[i], b[j], b[j + 1]))
            j += 1
    return [t for t in tris if len(set(t)) == 3]


@lru_cache(maxsize=1)
def hole_triangles() -> dict[str, np.ndarray]:
    """Triangles that close the mesh's holes: {"left_eye", "right_eye", "mouth"} -> (K, 3) int32."""
    left, right = eyes()
    inner = lips()[1]
    return {
        "left_eye": np.array(_zipper(left, LEFT_EYE_CORNERS), np.int32),
        "right_eye": np.array(_zipper(right, RIGHT_EYE_CORNERS), np.int32),
        "mouth": np.array(_zipper(inner, MOUTH_CORNERS), np.int32),
    }


@lru_cache(maxsize=1)
def closed_triangles() -> np.ndarray:
    """(M, 3) int32: surface triangles plus the eye and mouth hole fills (a disc with no holes)."""
    holes = hole_triangles()
    return np.concatenate([mesh_triangles(), holes["left_eye"], holes["right_eye"], holes["mouth"]])
