"""Skeleton-driven warp of the person layer (the classical renderer's body path).

Each bone of the MediaPipe pose skeleton gets a rigid 2D transform (rotation + translation) from
its source to its edited position. A destination pixel maps back to the source by linear blend
skinning run backwards: the inverse bone transforms blended with weights from the pixel's
distance to each *edited* bone. The warped person is laid over a background where the vacated
region comes from a clean plate (BackgroundModel) or, lacking one, cv2.inpaint (TELEA).
The skinning field is smooth, so it is computed at half resolution and upsampled, and only over
the box around the person. BackgroundModel (render.background) streams the clean plate.

Convention: frame (H, W, 3) float32 RGB [0, 1]; joints (33, 4) (x px, y px, z, visibility);
person_mask (H, W) float32 [0, 1]; angles radians.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from render_core.warp.background import BackgroundModel

__all__ = ["BONES", "BackgroundModel", "BodyWarpConfig", "bone_transforms", "skinning_map", "warp_body"]

# Virtual joints appended after the 33 MediaPipe ones: mid-shoulder, mid-hip, hand tips, head top.
_VIRTUAL = {33: (11, 12), 34: (23, 24), 35: (17, 19), 36: (18, 20), 37: (7, 8)}
BONES: tuple[tuple[int, int], ...] = (
    (33, 0), (0, 37), (11, 12), (23, 24), (33, 34), (11, 23), (12, 24),  # head, neck, torso
    (11, 13), (13, 15), (15, 35), (12, 14), (14, 16), (16, 36),  # arms, hands
    (23, 25), (25, 27), (27, 31), (24, 26), (26, 28), (28, 32),  # legs, feet
)  # fmt: skip


@dataclass(frozen=True)
class BodyWarpConfig:
    """falloff_px: skinning weight ~ 1 / (distance + falloff_px)^power (sharper = more rigid bones).
    scale: resolution of the skinning field. inpaint_radius: px for cv2.inpaint.
    roundtrip_px + roundtrip_rel * displacement: round-trip error (px) above which a pixel starts
    losing the person layer."""

    falloff_px: float = 6.0
    power: float = 6.0
    scale: float = 0.25
    inpaint_radius: float = 5.0
    mask_px: float = 0.5
    roundtrip_px: float = 3.0
    roundtrip_rel: float = 0.3
    # Thin slivers of the moved layer (a limb's edge sampled along its path) narrower than this
    # share of the shoulder width are removed; the old silhouette is covered this much wider.
    sliver_rel: float = 0.08
    cover_rel: float = 0.06
    # The moved layer's soft edge (the segmentation is blurrier than the person) carries its own
    # fringe of real pixels: its alpha is scaled by edge_gain, so it is not blended with the plate
    # into a pale halo. Pixels the skinning moves less than still_px keep the frame's own pixels.
    edge_gain: float = 6.0
    still_px: float = 0.25


def extended_joints(joints: np.ndarray) -> np.ndarray:
    """(38, 2) px: the 33 joints' x, y plus the virtual joints used by BONES."""
    xy = np.asarray(joints, np.float32)[:, :2]
    extra = np.array([(xy[a] + xy[b]) / 2 for a, b in _VIRTUAL.values()], np.float32)
    return np.concatenate([xy, extra])


# A bone shorter than this share of the shoulder width (in either pose) has no reliable direction:
# the head's nose-to-ears bone is a few pixels long on a face seen from the front, and its angle
# can swing by half a turn between two poses. It turns with the bone it hangs from instead.
SHORT_BONE = 0.25
_PARENT = {(0, 37): (33, 0), (15, 35): (13, 15), (16, 36): (14, 16), (27, 31): (25, 27), (28, 32): (26, 28)}
_PARENT_INDEX = {BONES.index(k): BONES.index(v) for k, v in _PARENT.items()}


def bone_transforms(src_xy: np.ndarray, dst_xy: np.ndarray) -> np.ndarray:
    """(B, 2, 3) rigid maps dst -> src per bone: rotation by the bone's angle change about its
    midpoint (length changes are ignored: bones are rigid); a short bone (`SHORT_BONE`) turns
    by its parent's angle change."""
    a, b = np.array(BONES).T
    vs, vd = src_xy[b] - src_xy[a], dst_xy[b] - dst_xy[a]
    theta = np.arctan2(vs[:, 1], vs[:, 0]) - np.arctan2(vd[:, 1], vd[:, 0])  # dst -> src
    shoulder = max(
        float(np.linalg.norm(src_xy[11] - src_xy[12])), float(np.linalg.norm(dst_xy[11] - dst_xy[12]))
    )
    short = np.minimum(np.linalg.norm(vs, axis=1), np.linalg.norm(vd, axis=1)) < SHORT_BONE * shoulder
    for k, parent in _PARENT_INDEX.items():
        if short[k]:
            theta[k] = theta[parent]
    c, s = np.cos(theta), np.sin(theta)
    rot = np.stack([np.stack([c, -s], 1), np.stack([s, c], 1)], 1)  # (B, 2, 2)
    mid_s, mid_d = (src_xy[a] + src_xy[b]) / 2, (dst_xy[a] + dst_xy[b]) / 2
    trans = mid_s - np.einsum("bij,bj->bi", rot, mid_d)
    return np.concatenate([rot, trans[:, :, None]], axis=2).astype(np.float32)


def _segment_distance(px: np.ndarray, py: np.ndarray, p0: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """Distance (px) from pixel grids to the segment p0-p1."""
    d = p1 - p0
    t = ((px - p0[0]) * d[0] + (py - p0[1]) * d[1]) / max(float(d @ d), 1e-6)
    t = np.clip(t, 0.0, 1.0)
    return np.hypot(px - p0[0] - t * d[0], py - p0[1] - t * d[1])


def _bone_radii(xy: np.ndarray) -> np.ndarray:
    """(B,) px thickness per bone: the torso and head are wide, so cloth beside a limb stays with
    the torso rather than following the limb."""
    shoulder = float(np.linalg.norm(xy[11] - xy[12]))
    wide = {
        (33, 0): 0.2,
        (0, 37): 0.2,
        (11, 12): 0.15,
        (23, 24): 0.15,
        (33, 34): 0.3,
        (11, 23): 0.15,
        (12, 24): 0.15,
    }
    return np.array([wide.get(b, 0.05) * shoulder for b in BONES], np.float32)


def _skin_displacement(
    gx: np.ndarray, gy: np.ndarray, bones_xy: np.ndarray, mats: np.ndarray, config: BodyWarpConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Blended displacement (dx, dy) at grid points: weights from distance to bones at `bones_xy`,
    per-bone affine `mats` (B, 2, 3)."""
    radii = _bone_radii(bones_xy)
    acc_x, acc_y, total = np.zeros_like(gx), np.zeros_like(gx), np.zeros_like(gx)
    for k, (a, b) in enumerate(BONES):
        d = np.maximum(_segment_distance(gx, gy, bones_xy[a], bones_xy[b]) - radii[k], 0.0)
        wk = (d + config.falloff_px) ** -config.power
        m = mats[k]
        acc_x += wk * (m[0, 0] * gx + m[0, 1] * gy + m[0, 2] - gx)
        acc_y += wk * (m[1, 0] * gx + m[1, 1] * gy + m[1, 2] - gy)
        total += wk
    return acc_x / total, acc_y / total


def skinning_map(
    shape: tuple[int, int], src_xy: np.ndarray, dst_xy: np.ndarray, config: BodyWarpConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward map (map_x, map_y) (H, W) float32 px, where each dst pixel samples the source, and
    its round-trip error (H, W) px: the forward skinning from the source sample should land back
    on the pixel; where it does not, the pixel borrowed a bone that does not own that source
    texture (e.g. background far from the body) and must not show the person."""
    h, w = shape
    sh, sw = max(int(round(h * config.scale)), 1), max(int(round(w * config.scale)), 1)
    gx, gy = np.meshgrid((np.arange(sw, dtype=np.float32) + 0.5) * w / sw - 0.5,
                         (np.arange(sh, dtype=np.float32) + 0.5) * h / sh - 0.5)  # fmt: skip
    bx, by = _skin_displacement(gx, gy, dst_xy, bone_transforms(src_xy, dst_xy), config)
    fx, fy = _skin_displacement(gx, gy, src_xy, bone_transforms(dst_xy, src_xy), config)
    # Forward displacement at the source sample (half-res grid coordinates).
    sx, sy = (gx + bx + 0.5) * sw / w - 0.5, (gy + by + 0.5) * sh / h - 0.5
    fwd_x = cv2.remap(fx, sx, sy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    fwd_y = cv2.remap(fy, sx, sy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    err = np.hypot(bx + fwd_x, by + fwd_y)
    up = [cv2.resize(a, (w, h), interpolation=cv2.INTER_LINEAR) for a in (bx, by, err)]
    px, py = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return px + up[0], py + up[1], up[2]


def fill_vacated(
    frame: np.ndarray,
    person: np.ndarray,
    vacated: np.ndarray,
    plate: tuple[np.ndarray, np.ndarray] | None,
    radius: float,
) -> np.ndarray:
    """(H, W, 3) frame with the `vacated` pixels (bool (H, W)) replaced by background: the clean
    plate (image, valid (H, W) [0, 1]) where valid, else cv2.inpaint (TELEA, half resolution) of
    the vacated box with the whole person masked, so no person colour bleeds into the fill."""
    filled = frame.copy()
    if plate is not None:
        use = vacated & (plate[1] >= 0.5)
        filled[use] = plate[0][use]
        vacated = vacated & ~use
    if not vacated.any():
        return filled
    ys, xs = np.nonzero(vacated)
    m = int(2 * radius) + 4  # margin of known pixels for the inpainting to draw from
    y0, x0 = max(ys.min() - m, 0), max(xs.min() - m, 0)
    y1, x1 = min(ys.max() + 1 + m, frame.shape[0]), min(xs.max() + 1 + m, frame.shape[1])
    hole = cv2.dilate((person[y0:y1, x0:x1] > 0.3).astype(np.uint8), np.ones((7, 7), np.uint8))
    hole |= vacated[y0:y1, x0:x1].astype(np.uint8)
    crop = (frame[y0:y1, x0:x1] * 255).astype(np.uint8)
    small = cv2.resize(crop, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    hsmall = cv2.resize(hole, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_NEAREST)
    inp = cv2.inpaint(small, hsmall, radius / 2, cv2.INPAINT_TELEA)
    up = cv2.resize(inp, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    region, sel = filled[y0:y1, x0:x1], vacated[y0:y1, x0:x1]
    region[sel] = up[sel]
    return filled


def disk_grown(mask: np.ndarray, radius: float) -> np.ndarray:
    """bool (H, W): uint8 `mask` dilated by a disk of `radius` px, as a threshold of the distance
    to it: the same shape as an elliptical kernel's dilation at a cost that does not grow with the
    radius (an 85 px elliptical kernel took 12 ms on a 256x160 crop)."""
    return cv2.distanceTransform(1 - mask, cv2.DIST_L2, cv2.DIST_MASK_PRECISE) <= radius


def _disk(radius: float) -> np.ndarray:
    r = max(1, int(round(radius)))
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def _open(alpha: np.ndarray, width: float) -> np.ndarray:
    """`alpha` without parts narrower than `width` px (a grey opening), where the moved layer
    left slivers."""
    if width < 2.0:
        return alpha
    return cv2.morphologyEx(alpha, cv2.MORPH_OPEN, _disk(width / 2))


def _roi(person: np.ndarray, xy: np.ndarray, pad: float) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) px box holding the person and every joint (src and dst), padded."""
    ys, xs = np.nonzero(person > 0.02)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    if len(xs):
        lo, hi = np.minimum(lo, (xs.min(), ys.min())), np.maximum(hi, (xs.max(), ys.max()))
    h, w = person.shape
    x0, y0 = np.maximum(np.floor(lo - pad).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(hi + pad).astype(int) + 1, (w, h))
    return int(x0), int(y0), int(x1), int(y1)


def _warp_layer(
    frame: np.ndarray,
    person: np.ndarray,
    src_xy: np.ndarray,
    dst_xy: np.ndarray,
    plate: tuple[np.ndarray, np.ndarray] | None,
    config: BodyWarpConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """warp_body on a crop (coordinates already relative to it)."""
    map_x, map_y, err = skinning_map(frame.shape[:2], src_xy, dst_xy, config)
    fx, fy = np.meshgrid(
        np.arange(frame.shape[1], dtype=np.float32), np.arange(frame.shape[0], dtype=np.float32)
    )
    alpha = cv2.remap(person, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    shift = np.hypot(map_x - fx, map_y - fy)
    alpha *= np.clip(
        2.0 - err / (config.roundtrip_px + config.roundtrip_rel * shift), 0.0, 1.0
    )  # drop borrowings
    moved = cv2.remap(frame, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    disp = np.clip(shift / config.mask_px, 0.0, 1.0)
    moving = (
        cv2.dilate(((disp >= 1.0) | (person - alpha > 0.02)).astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    )
    shoulder = float(np.linalg.norm(src_xy[11] - src_xy[12]))
    alpha = np.where(moving, _open(alpha, config.sliver_rel * shoulder), alpha)
    layer = np.clip(alpha * config.edge_gain, 0.0, 1.0)[..., None]
    grown = disk_grown((person > 0.3).astype(np.uint8), round(max(3.0, config.cover_rel * shoulder)))
    base = fill_vacated(frame, person, grown & moving & (alpha < 0.999), plate, config.inpaint_radius)
    out = layer * moved + (1.0 - layer) * base
    if config.still_px > 0:  # not where the person left: there the frame holds the old pose
        still = np.clip(1.0 - shift / config.still_px, 0.0, 1.0) * (person - alpha <= 0.05)
        out = still[..., None] * frame + (1.0 - still[..., None]) * out
    changed = np.maximum(np.minimum(disp, np.maximum(alpha, grown)), np.abs(alpha - person))
    return out.astype(np.float32), changed


def warp_body(
    frame: np.ndarray,
    person_mask: np.ndarray,
    src_joints: np.ndarray,
    dst_joints: np.ndarray,
    background: np.ndarray | None = None,
    background_valid: np.ndarray | None = None,
    config: BodyWarpConfig = BodyWarpConfig(),
) -> tuple[np.ndarray, np.ndarray]:
    """Move the person layer from src to dst joints.

    frame (H, W, 3) float32; person_mask (H, W) float32 [0, 1]; joints (33, 4) px. background:
    optional clean plate (H, W, 3) with background_valid (H, W) [0, 1]. Returns (image (H, W, 3),
    mask (H, W) float32 [0, 1] where pixels changed). Only the box around the person and the
    joints is processed; everything outside it is the frame unchanged.
    """
    for name, j in (("src_joints", src_joints), ("dst_joints", dst_joints)):
        j = np.asarray(j)
        if j.ndim != 2 or j.shape[0] != 33 or j.shape[1] < 2 or not np.isfinite(j[:, :2]).all():
            raise ValueError(f"warp_body: {name} must be finite (33, 4) px, got shape {j.shape}")
    if person_mask.shape != frame.shape[:2]:
        raise ValueError(f"warp_body: person_mask {person_mask.shape} does not match frame {frame.shape[:2]}")
    src_xy, dst_xy = extended_joints(src_joints), extended_joints(dst_joints)
    out, mask = frame.copy(), np.zeros(frame.shape[:2], np.float32)
    if np.abs(dst_xy - src_xy).max() < 1e-4:
        return out, mask
    person = np.clip(np.asarray(person_mask, np.float32), 0.0, 1.0)
    pad = 0.3 * float(np.linalg.norm(src_xy[11] - src_xy[12])) + 12.0
    x0, y0, x1, y1 = _roi(person, np.concatenate([src_xy, dst_xy]), pad)
    if x1 <= x0 or y1 <= y0:
        return out, mask
    crop = (slice(y0, y1), slice(x0, x1))
    plate = None
    if background is not None:
        valid = np.ones_like(person) if background_valid is None else background_valid
        plate = (background[crop], valid[crop])
    origin = np.array([x0, y0], np.float32)
    img, changed = _warp_layer(frame[crop], person[crop], src_xy - origin, dst_xy - origin, plate, config)
    out[crop] = img
    mask[crop] = changed
    return out, cv2.GaussianBlur(mask, (0, 0), 1.5)
