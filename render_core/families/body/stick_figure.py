"""Pose stick figures from the 33 MediaPipe body joints (the conditioning of the body family).

As in Everybody Dance Now (OpenPose-style renders): every limb is a filled ellipse in its own
fixed colour, every joint a disc, on black. The thickness follows the body size (torso length),
so a dancer far from the camera gets a thin figure and a close one a thick figure, and the
generator sees the same drawing style at every scale.

Convention: joints are (33, 4) = (x px, y px, z, visibility) already in the *output image's*
pixel frame (x right, y down); see `render_core.families.body.data.PersonCrop` for mapping
frame pixels into the model crop. Output: float32 RGB in [0, 1], (H, W, 3).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# MediaPipe Pose joint indices used below.
NOSE, L_EAR, R_EAR = 0, 7, 8
L_SHOULDER, R_SHOULDER, L_HIP, R_HIP = 11, 12, 23, 24
L_ANKLE, R_ANKLE = 27, 28
HEAD_JOINTS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)

# (joint a, joint b, RGB colour 0..255): one fixed, distinct colour per limb.
LIMBS: tuple[tuple[int, int, tuple[int, int, int]], ...] = (
    (11, 12, (255, 0, 0)),  # shoulders
    (11, 13, (255, 128, 0)),  # left upper arm
    (13, 15, (255, 255, 0)),  # left forearm
    (12, 14, (128, 255, 0)),  # right upper arm
    (14, 16, (0, 255, 0)),  # right forearm
    (11, 23, (0, 255, 128)),  # left flank
    (12, 24, (0, 255, 255)),  # right flank
    (23, 24, (0, 128, 255)),  # hips
    (23, 25, (0, 0, 255)),  # left thigh
    (25, 27, (128, 0, 255)),  # left shin
    (24, 26, (255, 0, 255)),  # right thigh
    (26, 28, (255, 0, 128)),  # right shin
    (27, 31, (170, 85, 0)),  # left foot
    (28, 32, (85, 170, 0)),  # right foot
    (0, 7, (170, 0, 85)),  # nose - left ear
    (0, 8, (85, 0, 170)),  # nose - right ear
)
HAND_LIMBS: tuple[tuple[int, int, tuple[int, int, int]], ...] = (
    (15, 19, (255, 200, 200)),  # left wrist - index
    (15, 21, (255, 160, 120)),  # left wrist - thumb
    (16, 20, (200, 200, 255)),  # right wrist - index
    (16, 22, (120, 160, 255)),  # right wrist - thumb
)
_SHIFT = 4  # cv2 fixed-point bits: sub-pixel drawing
_ONE = 1 << _SHIFT


@dataclass(frozen=True)
class StickFigureConfig:
    """Drawing style. `limb_width` and `joint_radius` are fractions of the torso length."""

    limb_width: float = 0.09
    joint_radius: float = 0.06
    min_visibility: float = 0.5
    hands: bool = True
    face_point_radius_px: float = 1.0
    face_colour: tuple[int, int, int] = (255, 255, 255)


def body_scale(joints: np.ndarray, min_visibility: float = 0.5) -> float:
    """Torso length in px: mid-shoulder to mid-hip distance (robust body-size measure).

    Convention: joints (33, 4) px. Falls back to a third of the visible joints' bbox height
    when shoulders or hips are not visible; 0 when nothing is visible.
    """
    vis = joints[:, 3] >= min_visibility
    if vis[[L_SHOULDER, R_SHOULDER, L_HIP, R_HIP]].all():
        shoulder = joints[[L_SHOULDER, R_SHOULDER], :2].mean(0)
        hip = joints[[L_HIP, R_HIP], :2].mean(0)
        return float(np.linalg.norm(shoulder - hip))
    if vis.sum() < 2:
        return 0.0
    ys = joints[vis, 1]
    return float(ys.max() - ys.min()) / 3.0


_ELLIPSE_T = np.linspace(0.0, 2.0 * np.pi, 36, endpoint=False)
_ELLIPSE_COS, _ELLIPSE_SIN = np.cos(_ELLIPSE_T), np.sin(_ELLIPSE_T)


def _limb_polygon(a: np.ndarray, b: np.ndarray, half_width: float) -> np.ndarray:
    """The ellipse around segment a-b (semi-axes: half the length + half_width, half_width),
    as a fixed-point (`_SHIFT` bits) polygon for sub-pixel cv2 filling."""
    centre = (a + b) / 2.0
    d = b - a
    length = float(np.hypot(d[0], d[1]))
    u = d / length if length > 1e-6 else np.array([1.0, 0.0])
    major, minor = length / 2.0 + half_width, half_width
    px = centre[0] + major * _ELLIPSE_COS * u[0] - minor * _ELLIPSE_SIN * u[1]
    py = centre[1] + major * _ELLIPSE_COS * u[1] + minor * _ELLIPSE_SIN * u[0]
    return np.round(np.stack([px, py], 1) * _ONE).astype(np.int32)


def _draw_limbs(canvas: np.ndarray, joints: np.ndarray, vis: np.ndarray, limbs, half_width: float) -> None:
    for a, b, colour in limbs:
        if not (vis[a] and vis[b]):
            continue
        poly = _limb_polygon(joints[a, :2], joints[b, :2], half_width)
        cv2.fillConvexPoly(canvas, poly, colour, cv2.LINE_AA, _SHIFT)


def _draw_joints(canvas: np.ndarray, joints: np.ndarray, vis: np.ndarray, radius: float, used) -> None:
    r = max(int(round(radius * _ONE)), _ONE)
    for j in used:
        if vis[j]:
            centre = (int(round(joints[j, 0] * _ONE)), int(round(joints[j, 1] * _ONE)))
            colour = tuple(int(c) for c in _JOINT_COLOURS[j])
            cv2.circle(canvas, centre, r, colour, -1, cv2.LINE_AA, _SHIFT)


def _joint_colours() -> np.ndarray:
    """Each joint takes the colour of the first limb touching it (stable, distinct)."""
    colours = np.full((33, 3), 255, np.uint8)
    seen: set[int] = set()
    for a, b, colour in LIMBS + HAND_LIMBS:
        for j in (a, b):
            if j not in seen:
                colours[j] = colour
                seen.add(j)
    return colours


_JOINT_COLOURS = _joint_colours()


def render_stick_figure(
    joints: np.ndarray,
    size: tuple[int, int],
    cfg: StickFigureConfig | None = None,
    face_points: np.ndarray | None = None,
) -> np.ndarray:
    """Draw one pose.

    joints: (33, 4) px in the output frame (x, y, z, visibility); size: (H, W);
    face_points: optional (N, 2+) px face-mesh points drawn as small discs (help the face stage).
    Returns (H, W, 3) float32 RGB in [0, 1]; black where nothing is drawn. Joints with
    visibility below `cfg.min_visibility` (or NaN) are omitted with their limbs.
    """
    cfg = cfg or StickFigureConfig()
    h, w = size
    canvas = np.zeros((h, w, 3), np.uint8)
    joints = np.asarray(joints, np.float32)
    finite = np.isfinite(joints[:, :2]).all(1)
    vis = finite & (np.nan_to_num(joints[:, 3]) >= cfg.min_visibility)
    safe = np.where(finite[:, None], joints, 0.0)
    scale = body_scale(safe, cfg.min_visibility)
    scale = scale if scale > 0 else 0.25 * h
    limbs = LIMBS + HAND_LIMBS if cfg.hands else LIMBS
    _draw_limbs(canvas, safe, vis, limbs, 0.5 * cfg.limb_width * scale)
    used = sorted({j for a, b, _ in limbs for j in (a, b)})
    _draw_joints(canvas, safe, vis, cfg.joint_radius * scale, used)
    if face_points is not None:
        _draw_face_points(canvas, np.asarray(face_points, np.float32), cfg)
    return canvas.astype(np.float32) / 255.0


def _draw_face_points(canvas: np.ndarray, points: np.ndarray, cfg: StickFigureConfig) -> None:
    r = max(int(round(cfg.face_point_radius_px * _ONE)), _ONE)
    pts = points[np.isfinite(points[:, :2]).all(1), :2]
    for x, y in np.round(pts * _ONE).astype(np.int64):
        cv2.circle(canvas, (int(x), int(y)), r, cfg.face_colour, -1, cv2.LINE_AA, _SHIFT)
