"""Global pose normalization between a source dancer and a target person (Chan et al. 2019, 3.2).

Per clip we find the "close" ankle line (largest ankle y: the person is nearest the camera) and
the "far" ankle line (smallest y), and the body heights seen near each. A source frame whose
ankle sits at y_src is mapped by a scale and a translation both interpolated by where y_src lies
between the source's far and close lines:

    alpha = (y_src - s_far) / (s_close - s_far)
    scale = t_far_h / s_far_h + alpha * (t_close_h / s_close_h - t_far_h / s_far_h)
    y_tgt = t_far + alpha * (t_close - t_far)            (the target ankle line)
    y' = y_tgt + scale * (y - y_src);   x' = t_cx + scale * (x - s_cx)

so a source step toward the camera becomes a target step toward the camera, at the target's
own size and floor position. `s_cx`/`t_cx` are the clips' median horizontal ankle positions.

Convention: joints (T, 33, 4) = (x px, y px, z, visibility) in each clip's frame pixels (x right,
y down); valid (T,) bool. z is scaled with x/y; visibility is kept.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import asdict, dataclass

import numpy as np

L_ANKLE, R_ANKLE = 27, 28
HEAD_TOP_JOINTS = (0, 1, 2, 3, 4, 5, 6, 7, 8)


@dataclass(frozen=True)
class NormalizationStats:
    """One clip's ankle lines (px), body heights near them (px) and horizontal centre (px)."""

    far_y: float
    close_y: float
    far_height: float
    close_height: float
    center_x: float

    @staticmethod
    def from_joints(
        joints: np.ndarray, valid: np.ndarray, percentile: float = 5.0, band: float = 0.15
    ) -> NormalizationStats:
        """Robust stats of one clip.

        far/close: the `percentile` / 100-`percentile` of per-frame ankle y. Heights: the 90th
        percentile (a robust max: bending only shortens) of (ankle y - head top y) over frames
        whose ankle y lies within `band` of the ankle range from that line.
        """
        ankle_y, height, ankle_x = _per_frame(joints, valid)
        ok = np.isfinite(ankle_y) & np.isfinite(height)
        if ok.sum() < 1:
            raise ValueError("no frame with visible ankles and head")
        ay, hh, ax = ankle_y[ok], height[ok], ankle_x[ok]
        far, close = float(np.percentile(ay, percentile)), float(np.percentile(ay, 100 - percentile))
        margin = max(band * (close - far), 1.0)
        far_h = float(np.percentile(hh[ay <= far + margin], 90))
        close_h = float(np.percentile(hh[ay >= close - margin], 90))
        return NormalizationStats(far, close, far_h, close_h, float(np.median(ax)))

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> NormalizationStats:
        return NormalizationStats(**{k: float(d[k]) for k in NormalizationStats.__dataclass_fields__})


def _per_frame(joints: np.ndarray, valid: np.ndarray, min_vis: float = 0.3):
    """Ankle y (the lower ankle: the standing foot), body height and ankle x per frame (NaN if unseen)."""
    j = np.asarray(joints, np.float64)
    vis = (np.nan_to_num(j[..., 3]) >= min_vis) & np.asarray(valid, bool)[:, None]
    ys = np.where(vis, j[..., 1], np.nan)
    xs = np.where(vis, j[..., 0], np.nan)
    with _quiet_nan():
        ankle_y = np.nanmax(ys[:, [L_ANKLE, R_ANKLE]], axis=1)
        ankle_x = np.nanmean(xs[:, [L_ANKLE, R_ANKLE]], axis=1)
        top = np.nanmin(ys[:, list(HEAD_TOP_JOINTS)], axis=1)
    return ankle_y, ankle_y - top, ankle_x


@contextlib.contextmanager
def _quiet_nan():
    """All-NaN slices are expected (unseen joints); silence numpy's warnings about them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _alpha(y: np.ndarray, far: float, close: float) -> np.ndarray:
    span = close - far
    if abs(span) < 1e-6:
        return np.ones_like(y)
    return (y - far) / span


def scale_and_ankle(ankle_y: np.ndarray, src: NormalizationStats, tgt: NormalizationStats):
    """Per-frame scale and target ankle line for source ankle heights `ankle_y` (T,) px."""
    a = _alpha(np.asarray(ankle_y, np.float64), src.far_y, src.close_y)
    far_ratio = tgt.far_height / src.far_height
    close_ratio = tgt.close_height / src.close_height
    scale = far_ratio + a * (close_ratio - far_ratio)
    y_tgt = tgt.far_y + a * (tgt.close_y - tgt.far_y)
    return scale, y_tgt


def normalize(
    joints_src: np.ndarray, src_stats: NormalizationStats, tgt_stats: NormalizationStats, valid=None
) -> np.ndarray:
    """Map source joints (T, 33, 4) into the target's frame. Frames without a visible ankle
    use the source's median ankle line (so the mapping stays defined). Returns float32 (T, 33, 4)."""
    j = np.asarray(joints_src, np.float64)
    valid = np.ones(len(j), bool) if valid is None else np.asarray(valid, bool)
    ankle_y, _, _ = _per_frame(j, valid)
    fallback = 0.5 * (src_stats.far_y + src_stats.close_y)
    ankle_y = np.where(np.isfinite(ankle_y), ankle_y, fallback)
    scale, y_tgt = scale_and_ankle(ankle_y, src_stats, tgt_stats)
    out = j.copy()
    s = scale[:, None]
    out[..., 0] = tgt_stats.center_x + s * (j[..., 0] - src_stats.center_x)
    out[..., 1] = y_tgt[:, None] + s * (j[..., 1] - ankle_y[:, None])
    out[..., 2] = s * j[..., 2]
    return out.astype(np.float32)


def median_smooth(joints: np.ndarray, valid: np.ndarray | None = None, window: int = 7) -> np.ndarray:
    """The paper's temporal median of keypoints over `window` frames (centred), per coordinate.

    joints (T, 33, 4); invalid frames (and NaN entries) are ignored inside each window; a frame
    whose whole window is empty stays NaN. Visibility is median-filtered too.
    """
    j = np.asarray(joints, np.float64).copy()
    if valid is not None:
        j[~np.asarray(valid, bool)] = np.nan
    t, half = len(j), window // 2
    pad = np.pad(j, ((half, half), (0, 0), (0, 0)), mode="constant", constant_values=np.nan)
    stacked = np.lib.stride_tricks.sliding_window_view(pad, window, axis=0)[:t]
    with _quiet_nan():
        return np.nanmedian(stacked, axis=-1).astype(np.float32)
