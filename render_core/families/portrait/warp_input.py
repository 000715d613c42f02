"""The warp-guided generator's second input: a real frame's face crop moved to another geometry.

Why (DESIGN.md section 4): a network that redraws the whole crop from conditioning maps after
minutes on a CPU outputs a blurred likeness; the real pixels, moved by the landmark warp, keep
the clip's detail. The generator receives the source crop warped to the target landmarks and
only corrects it. In training the source is another frame of the clip (`source_positions`:
frames whose landmarks are nearest the target's, before or after it, and frames anywhere in the
clip, biased toward sources whose mouth is more closed than the target's, so the model learns to
open a mouth); at render time
it is the frame being edited.

Convention: crops (S, S, 3) float32 RGB [0, 1]; landmarks (478, 3) crop px; the warp is
`warp.face.warp_face` with its mouth interior, as the warp renderer shows it (the network corrects it).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch

from render_core.geometry import face_topology as ft
from render_core.warp.face import FaceWarpConfig, warp_face


@dataclass(frozen=True)
class GuidedInput:
    """What a warp-guided model receives beside the conditioning window, as it was trained: the
    source crop moved by the face warp with an anchor ring of `border` (share of the face size),
    and with `region` the edit region. With `by_change` the network does not see the region: it
    trains on whole regions (so its drawing learns the mouth and eyes from every pair) and
    renders through the region opened part by part by the shape change (`edit_region` with the
    source face): a head turn keeps the frame's own mouth, an opened mouth is drawn.

    The warp samples bicubically, without the warp renderer's enlarged source: the input warp
    runs for every exported frame, where that sampling would cost a third of the frame time.
    Checkpoints trained before the ring narrowed keep 0.3 (their stored preset's default)."""

    border: float = 0.3
    region: bool = False
    by_change: bool = False

    @property
    def warp(self) -> FaceWarpConfig:
        return FaceWarpConfig(border=self.border, interpolation=cv2.INTER_CUBIC, supersample=1)


UPPER_LIP, LOWER_LIP = 13, 14  # inner-lip midpoints
FOREHEAD, CHIN = 10, 152
# The edit region: the outer lips grown by this share of their width and height on each side
# (teeth, inner lips, the skin the lips uncover), each eye's contour by this share of its width
# and of its height (the lids and lashes above and below an opening a few pixels tall).
MOUTH_GROW = (0.25, 0.25)
EYE_GROW = (0.45, 1.0)
REGION_FEATHER = 0.015  # Gaussian sigma of the region's edge, share of the crop size


# A part's shape change (`shape_changes`) below the first value leaves it to the warp; past the
# second the network may draw all of it. Measured on tfjs: pairs of nearest training faces 0.004
# (median, mouth), a yaw +10 edit 0.02, smile 0.6 0.03, jaw_open 0.5 0.21.
CHANGE_RAMP = (0.015, 0.05)


def edit_region(landmarks: np.ndarray, size: int, source: np.ndarray | None = None) -> np.ndarray:
    """(S, S) float32 [0, 1]: where a warp-guided model may draw instead of moving the source's
    pixels (warp_net.py): the mouth and both eyes of `landmarks` (478, >=2) crop px, grown and
    feathered. Outside it the moved real pixels stay, so an edit keeps the frame's detail.
    With the `source` landmarks the face is moved from, each part opens only as far as its shape
    changes (`CHANGE_RAMP`): a head turn or a small move keeps the source's own mouth and eyes,
    which the warp moves right, and an opened mouth or a closed eye is drawn."""
    out = np.zeros((size, size), np.float32)
    outer, _ = ft.lips()
    xy = np.asarray(landmarks, np.float32)[:, :2]
    weights = (1.0, 1.0, 1.0) if source is None else region_weights(source, landmarks)
    parts = [(list(outer), MOUTH_GROW)] + [(list(e), EYE_GROW) for e in ft.eyes()]
    for (idx, grow), weight in zip(parts, weights, strict=True):
        if weight <= 0.0:
            continue
        pts = xy[idx]
        c = pts.mean(axis=0)
        pts = c + (pts - c) * (1.0 + 2.0 * np.asarray(grow, np.float32))  # crop axes: the face upright
        hull = np.round(cv2.convexHull(pts) * 16).astype(np.int32)
        cv2.fillConvexPoly(out, hull, float(weight), cv2.LINE_AA, 4)
    return cv2.GaussianBlur(out, (0, 0), REGION_FEATHER * size)


def shape_changes(source: np.ndarray, target: np.ndarray) -> tuple[float, float, float]:
    """How much the mouth, the left and the right eye change shape from `source` to `target`
    (478, >=2) px: the RMS distance of the part's points from the source's moved by their best
    similarity transform, over the part's width (an eye's iris moved within it counts too)."""
    outer, inner = ft.lips()
    left, right = ft.eyes()
    parts = [
        (list(outer) + list(inner), None),
        (list(left) + list(ft.LEFT_IRIS_RING), ft.LEFT_IRIS_CENTER),
        (list(right) + list(ft.RIGHT_IRIS_RING), ft.RIGHT_IRIS_CENTER),
    ]
    out = []
    for idx, iris in parts:
        if iris is not None:
            idx = idx + [iris]
        a = np.asarray(source, np.float64)[idx, :2]
        b = np.asarray(target, np.float64)[idx, :2]
        za = (a[:, 0] - a[:, 0].mean()) + 1j * (a[:, 1] - a[:, 1].mean())
        zb = (b[:, 0] - b[:, 0].mean()) + 1j * (b[:, 1] - b[:, 1].mean())
        k = (np.conj(za) * zb).sum() / max(float((np.abs(za) ** 2).sum()), 1e-9)  # scale and rotation
        miss = np.abs(zb - k * za)
        width = max(float(np.ptp(b[:, 0])), 1e-6)
        change = float(np.sqrt(np.mean(miss**2)))
        if iris is not None:  # a gaze edit moves the iris alone: its centre's miss counts whole
            change = max(change, float(miss[-1]))
        out.append(change / width)
    return out[0], out[1], out[2]


def region_weights(source: np.ndarray, target: np.ndarray) -> tuple[float, float, float]:
    """Each part's edit-region weight in [0, 1] from its `shape_changes`, ramped over `CHANGE_RAMP`."""
    lo, hi = CHANGE_RAMP
    w = [float(np.clip((c - lo) / (hi - lo), 0.0, 1.0)) for c in shape_changes(source, target)]
    return w[0], w[1], w[2]


def warp_crop(
    crop: np.ndarray, src: np.ndarray, dst: np.ndarray, spec: GuidedInput = GuidedInput()
) -> np.ndarray:
    """crop (S, S, 3) float32 with landmarks `src` (478, 3) crop px -> the crop with its face
    moved to `dst` (478, 3) crop px by `spec`'s warp, (S, S, 3) float32 [0, 1]."""
    return warp_face(crop, src, dst, config=spec.warp)[0]


def mouth_openness(landmarks: np.ndarray) -> np.ndarray:
    """(..., 478, >=2) px -> (...,) inner-lip gap over face height (forehead to chin): scale-free."""
    lm = np.asarray(landmarks, np.float64)
    gap = np.linalg.norm(lm[..., LOWER_LIP, :2] - lm[..., UPPER_LIP, :2], axis=-1)
    height = np.linalg.norm(lm[..., CHIN, :2] - lm[..., FOREHEAD, :2], axis=-1)
    return gap / np.maximum(height, 1e-6)


def mouth_box(landmarks: np.ndarray, size: int, grow: float = 0.25) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) crop px around the outer lips of `landmarks` (478, >=2), grown by `grow`
    of the box size on each side and clipped to the (size, size) crop."""
    outer, _ = ft.lips()
    xy = np.asarray(landmarks)[list(outer), :2]
    lo, hi = xy.min(0), xy.max(0)
    pad = grow * (hi - lo)
    x0, y0 = np.floor(np.maximum(lo - pad, 0)).astype(int)
    x1, y1 = np.ceil(np.minimum(hi + pad, size)).astype(int)
    return int(x0), int(y0), int(max(x1, x0 + 1)), int(max(y1, y0 + 1))


def neighbour_table(landmarks: np.ndarray, train: np.ndarray, k: int) -> np.ndarray:
    """(N, k) for every cached sample: the `k` training samples (other than itself) whose crop
    landmarks (N, 478, >=2) lie nearest (mean L1 over every 4th point), nearest first."""
    pts = np.asarray(landmarks)[:, ::4, :2].astype(np.float32)
    bank = pts[train]
    k = max(1, min(k, len(train) - 1))
    out = np.empty((len(pts), k), int)
    for a in range(0, len(pts), 64):
        d = np.abs(pts[a : a + 64, None] - bank[None]).mean(axis=(2, 3))  # (q, T)
        d[np.arange(a, a + len(d))[:, None] == train[None]] = np.inf  # never the target itself
        out[a : a + 64] = train[np.argsort(d, axis=1)[:, :k]]
    return out


ADJACENT = 2  # clip frames on each side an `adjacent` source is drawn from


def source_positions(
    targets: np.ndarray,
    train: np.ndarray,
    openness: np.ndarray,
    neighbours: np.ndarray,
    rng: np.random.Generator,
    far: float,
    adjacent: float = 0.0,
    frames: np.ndarray | None = None,
) -> np.ndarray:
    """A source sample for each target sample (positions into the cache), never the target.

    With probability `far` the source is any training sample, and half of those are drawn from
    the samples whose mouth is more closed than the target's (where there are some): closed ->
    open pairs, large moves. With probability `adjacent` it is a sample at most `ADJACENT`
    clip frames away (`frames` (N,): each cached sample's frame index): nearly aligned, as the
    frame an edit starts from is to itself, so the model learns to keep a warp that is right.
    Otherwise it is one of the target's `neighbours` (N, k) (nearest landmarks: small moves, as
    the held-out report's source gives). openness: (N,) `mouth_openness` of every cached sample."""
    out = np.empty(len(targets), int)
    for k, t in enumerate(np.asarray(targets, int)):
        pool = train[train != t]
        if len(pool) == 0:
            out[k] = t
            continue
        u = rng.random()
        if u >= 1.0 - adjacent:
            beside = pool[np.abs(frames[pool] - frames[t]) <= ADJACENT]
            if len(beside):
                out[k] = int(rng.choice(beside))
                continue
        if u >= far:
            out[k] = int(rng.choice(neighbours[t]))
            continue
        if u < far / 2:
            closed = pool[openness[pool] < openness[t]]
            pool = closed if len(closed) else pool
        out[k] = int(rng.choice(pool))
    return out


def nearest_training(data, dst: np.ndarray) -> int:
    """The training sample whose crop landmarks lie nearest `dst` (478, >=2) crop px (mean L1)."""
    train_lm = data.landmarks_crop[data.train, :, :2]
    return int(data.train[np.argmin(np.abs(train_lm - dst[None, :, :2]).mean(axis=(1, 2)))])


def target_landmarks(data, pos: int, steady: bool = False) -> np.ndarray:
    """(478, 3) crop px of cached sample `pos`: the steadied landmarks where asked and kept
    (what the renderer conditions on), else the detected ones."""
    if steady and pos in data.steady_landmarks:
        return data.steady_landmarks[pos]
    return data.landmarks_crop[pos]


def tracked_landmarks(data, pos: int) -> np.ndarray:
    """(478, 3) crop px: cached sample `pos`'s tracked (smoothed) landmarks, the ones the warp
    renderer moves. Why these: on d18's held-out frames the crop warp scored 36.1 dB from them
    and 34.4 from the detected ones, whose jitter misplaces the moved pixels."""
    return data.transforms[pos].points(data.track.landmarks[int(data.frames[pos])])


def warped_sources(data, targets, sources, spec: GuidedInput = GuidedInput()) -> np.ndarray:
    """(B, S, S, 3) float32 [0, 1]: each source sample's crop warped to its target's landmarks."""
    out = []
    for t, s in zip(targets, sources, strict=True):
        crop = data.crops[int(s)].astype(np.float32) / 255.0
        out.append(warp_crop(crop, tracked_landmarks(data, int(s)), tracked_landmarks(data, int(t)), spec))
    return np.stack(out)


def guided_batch(
    data, targets, sources, device: torch.device, spec: GuidedInput, steady: bool = False, render: bool = True
):
    """-> (inputs (B, 9 N_w + 3 [+ 1], S, S) in [0, 1]: conditioning window, warped source crop
    (and with `spec.region` the target's `edit_region`: as the renderer opens it, or whole for
    training with `render` False), targets (B, 3, S, S) in [-1, 1])."""
    x, y = data.batch(np.asarray(targets), device, steady)
    warped = warped_sources(data, targets, sources, spec)
    parts = [x, torch.from_numpy(warped).permute(0, 3, 1, 2).to(device)]
    if spec.region:
        size = data.crops.shape[1]
        masks = []
        for t, s in zip(targets, sources, strict=True):
            source = tracked_landmarks(data, int(s)) if spec.by_change and render else None
            masks.append(edit_region(tracked_landmarks(data, int(t)), size, source))
        parts.append(torch.from_numpy(np.stack(masks))[:, None].to(device))
    return torch.cat(parts, 1), y
