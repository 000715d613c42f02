"""Keyframe interpolation: params between keyframes, per layer mode (hold, linear, smooth).

Convention: frames are integer indices of the target clip. Before the first keyframe the
first value holds, after the last the last value holds.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from enum import Enum
from typing import Any

from render_core.edits.params import lerp


class Interpolation(str, Enum):
    HOLD = "hold"  # step: the previous keyframe's value until the next keyframe
    LINEAR = "linear"
    SMOOTH = "smooth"  # ease in/out: smoothstep 3w^2 - 2w^3, zero velocity at keyframes


def ease(w: float, mode: Interpolation) -> float:
    """Map the linear fraction w in [0, 1) between two keyframes to the blend weight."""
    if mode is Interpolation.HOLD:
        return 0.0
    if mode is Interpolation.SMOOTH:
        return w * w * (3.0 - 2.0 * w)
    return w


def interpolate(keyframes: Mapping[int, Any], frame: int, mode: Interpolation) -> Any:
    """The params at `frame` from a non-empty {frame: params} mapping."""
    if not keyframes:
        raise ValueError("interpolate needs at least one keyframe")
    frames = sorted(keyframes)
    i = bisect.bisect_right(frames, frame)
    if i == 0:
        return keyframes[frames[0]]
    if i == len(frames):
        return keyframes[frames[-1]]
    f0, f1 = frames[i - 1], frames[i]
    w = ease((frame - f0) / (f1 - f0), Interpolation(mode))
    return keyframes[f0] if w == 0.0 else lerp(keyframes[f0], keyframes[f1], w)


def span(keyframes: Mapping[int, Any], frame: int) -> tuple[int | None, int | None]:
    """The keyframes bracketing `frame` (previous <= frame, next > frame); None at the ends."""
    frames = sorted(keyframes)
    i = bisect.bisect_right(frames, frame)
    return (frames[i - 1] if i else None, frames[i] if i < len(frames) else None)
