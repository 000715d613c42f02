"""Which way a tracked body faces, and the run of frames around one where it keeps facing so.

A body_pose keyframe is a set of screen-plane joint rotations: where the person turns around,
their left and right sides swap on screen and the same angles bend the limbs the other way
(a torn frame). A pose edit keyed by dragging a joint therefore acts over the frames where the
person faces the way they did at the keyed frame.

Convention: joints (T, 33, 4) px (x right, y down, z, visibility), MediaPipe order; the
subject's left shoulder is joint 11, the right 12.
"""

from __future__ import annotations

import numpy as np

LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
SIDE_ON = 0.3  # shoulder span below this fraction of the keyed frame's: side-on, ambiguous


def facing(joints: np.ndarray, valid: np.ndarray, t: int) -> np.ndarray:
    """(T,) int: +1 facing the camera, -1 facing away, 0 side-on or untracked, judged by the
    shoulders' screen order relative to their span at frame `t`."""
    dx = (
        np.asarray(joints, np.float64)[:, LEFT_SHOULDER, 0]
        - np.asarray(joints, np.float64)[:, RIGHT_SHOULDER, 0]
    )
    span = max(abs(float(dx[t])), 1e-6)
    out = np.where(np.abs(dx) >= SIDE_ON * span, np.sign(dx), 0).astype(int)
    out[~np.asarray(valid, bool)] = 0
    return out


def facing_run(joints: np.ndarray, valid: np.ndarray, t: int) -> tuple[int, int]:
    """Inclusive (first, last) frames around `t` where the body faces as at `t`: the run stops
    at a side-on or turned frame; untracked frames inside it do not break it, at its ends they
    are left out. The whole clip when frame `t` itself is untracked or side-on."""
    valid = np.asarray(valid, bool)
    n = len(valid)
    if not 0 <= t < n:
        raise ValueError(f"frame {t} is outside the clip's {n} frames")
    if not valid[t]:
        return 0, n - 1
    f = facing(joints, valid, t)
    if f[t] == 0:
        return 0, n - 1
    breaks = valid & (f != f[t])
    before, after = np.flatnonzero(breaks[:t]), np.flatnonzero(breaks[t + 1 :])
    lo = int(before[-1]) + 1 if len(before) else 0
    hi = t + int(after[0]) if len(after) else n - 1
    tracked = np.flatnonzero(valid[lo : hi + 1]) + lo
    return int(tracked[0]), int(tracked[-1])
