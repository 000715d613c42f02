"""Temporal consistency metrics: warping error E_warp (Lai et al. 2018) and tOF (TecoGAN).

Both stream: they iterate the frames once and keep only the previous frame of each sequence,
so memory is flat in clip length.

E_warp (Lai et al., "Learning Blind Video Temporal Consistency", ECCV 2018, eq. 9):
    E_warp(V) = 1/(T-1) sum_{t=2..T} sum_x M_t(x) ||V_t(x) - W(V_{t-1})(x)||^2 / (3 sum_x M_t(x))
i.e. per pair the mean squared difference over the non-occluded pixels and the 3 RGB channels
(values in [0, 1]), averaged over pairs. The flow is computed on a *reference* sequence R (by
default V itself): f = DIS(R_t -> R_{t-1}), W(V_{t-1}) = warp(V_{t-1}, f) (V_{t-1} seen in
frame t's grid), and M_t = consistency_mask(f, DIS(R_{t-1} -> R_t)) with motion boundaries, as in
the paper's code. Evaluating a generated video with the real video's flow and mask measures
whether it moves like the real one; the real video's own E_warp is the floor to compare with
(flow error, noise and lighting changes keep it above 0). A pair whose mask is empty is
skipped. Differences from the paper: DIS instead of FlowNet2 (no weights), and pixels whose
flow leaves the frame are masked.

tOF (Chu et al., "Learning Temporal Coherence via Self-Supervision for GAN-based Video
Generation", TecoGAN, 2020): for each consecutive pair the flows OF(a_{t-1} -> a_t) and
OF(b_{t-1} -> b_t) are compared by the per-pixel Euclidean norm of their difference (what the
TecoGAN code computes and calls an L1 vector norm), averaged over pixels (an 8 px border is
dropped, as TecoGAN crops), then over pairs. Unit: pixels. DIS replaces Farneback.

Convention: frames are (H, W, 3) RGB float32 in [0, 1] or uint8 (scaled by 1/255).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import zip_longest

import numpy as np

from render_core.errors import InputError
from render_core.jobs import JobContext
from render_core.metrics.flow import DISFlow, consistency_mask, warp
from render_core.metrics.image import as_float01


class WarpErrorMeter:
    """Streaming E_warp of one or more sequences that share one reference flow.

    Feed frame t of the reference and of each evaluated sequence with `update`; the flow and the
    occlusion mask are computed once per pair and applied to every sequence (so the real video's
    floor and a generated video's error cost one flow computation).
    """

    def __init__(self, n_sequences: int = 1, preset: str = "medium", motion_boundaries: bool = True) -> None:
        self.flow = DISFlow(preset)
        self.motion_boundaries = motion_boundaries
        self._sums = np.zeros(n_sequences, np.float64)
        self._pairs = 0
        self._mask_fraction = 0.0
        self._prev_ref: np.ndarray | None = None
        self._prev: list[np.ndarray] = []

    def update(self, reference: np.ndarray, frames: Sequence[np.ndarray]) -> None:
        """Add frame t of the reference and of each of the `n_sequences` sequences."""
        if len(frames) != len(self._sums):
            raise InputError(None, f"expected {len(self._sums)} frames per update, got {len(frames)}")
        cur = [as_float01(f, "frame") for f in frames]
        if any(c.shape != reference.shape[:2] + (3,) for c in cur):
            raise InputError(None, f"frames must match the reference size {reference.shape[:2]}")
        if self._prev_ref is not None:
            self._add_pair(self._prev_ref, reference, cur)
        self._prev_ref, self._prev = reference, cur

    def _add_pair(self, ref_prev: np.ndarray, ref_cur: np.ndarray, cur: list[np.ndarray]) -> None:
        back = self.flow(ref_cur, ref_prev)  # t -> t-1, in frame t's grid
        fwd = self.flow(ref_prev, ref_cur)
        mask = consistency_mask(back, fwd, self.motion_boundaries).astype(np.float32)
        n = float(mask.sum())
        if n == 0:
            return
        for i, (prev, now) in enumerate(zip(self._prev, cur, strict=True)):
            diff = now - warp(prev, back)
            self._sums[i] += float((np.square(diff) * mask[..., None]).sum(dtype=np.float64)) / (3.0 * n)
        self._pairs += 1
        self._mask_fraction += n / mask.size

    @property
    def pairs(self) -> int:
        """Frame pairs counted so far (pairs with an empty mask are skipped)."""
        return self._pairs

    @property
    def values(self) -> list[float]:
        """E_warp of each sequence; NaN before the first counted pair."""
        return [float(s / self._pairs) if self._pairs else float("nan") for s in self._sums]

    @property
    def mask_fraction(self) -> float:
        """Mean fraction of pixels the occlusion mask kept (how much of each frame was judged)."""
        return self._mask_fraction / self._pairs if self._pairs else float("nan")


def paired_frames(a: Iterable[np.ndarray], b: Iterable[np.ndarray], names: str) -> Iterator[tuple]:
    """zip that refuses sequences of different lengths (a metric over a truncated clip lies)."""
    for i, pair in enumerate(zip_longest(a, b)):
        if pair[0] is None or pair[1] is None:
            raise InputError(None, f"{names} have different frame counts (one ended at frame {i})")
        yield pair


def warping_error(
    frames: Iterable[np.ndarray],
    flow_from: Iterable[np.ndarray] | None = None,
    preset: str = "medium",
    motion_boundaries: bool = True,
    ctx: JobContext | None = None,
    total: int | None = None,
) -> float:
    """E_warp of `frames` (see the module doc), with flow from `flow_from` (default: `frames`).

    Needs at least 2 frames. `ctx`/`total` report progress per frame and allow cancelling.
    """
    meter = WarpErrorMeter(1, preset, motion_boundaries)
    if flow_from is None:
        pairs: Iterable[tuple] = ((f, f) for f in frames)
    else:
        pairs = paired_frames(frames, flow_from, "frames and flow_from")
    for t, (frame, ref) in enumerate(pairs):
        meter.update(ref, [frame])
        if ctx is not None:
            ctx.step(t + 1, total or 0, "warping error")
    if meter.pairs == 0:
        raise InputError(None, "E_warp needs at least 2 frames with trackable motion")
    return meter.values[0]


class TofMeter:
    """Streaming tOF between two sequences: feed frame t of each with `update`."""

    def __init__(self, preset: str = "medium", border: int = 8) -> None:
        self.flow = DISFlow(preset)
        self.border = border
        self._sum, self._pairs = 0.0, 0
        self._prev: tuple[np.ndarray, np.ndarray] | None = None

    def update(self, a: np.ndarray, b: np.ndarray) -> None:
        if a.shape != b.shape:
            raise InputError(None, f"tOF frames differ in size: {a.shape} vs {b.shape}")
        if min(a.shape[:2]) <= 2 * self.border:
            raise InputError(None, f"tOF frames {a.shape[:2]} are too small for a {self.border} px border")
        if self._prev is not None:
            d = self.flow(self._prev[0], a) - self.flow(self._prev[1], b)
            if self.border > 0:
                d = d[self.border : -self.border, self.border : -self.border]
            self._sum += float(np.sqrt(np.square(d).sum(axis=-1)).mean(dtype=np.float64))
            self._pairs += 1
        self._prev = (a, b)

    @property
    def pairs(self) -> int:
        return self._pairs

    @property
    def value(self) -> float:
        """tOF in pixels; NaN before the first pair."""
        return self._sum / self._pairs if self._pairs else float("nan")


def tof(
    frames_a: Iterable[np.ndarray],
    frames_b: Iterable[np.ndarray],
    preset: str = "medium",
    border: int = 8,
    ctx: JobContext | None = None,
    total: int | None = None,
) -> float:
    """TecoGAN tOF in pixels: mean over pairs of mean_x ||OF_a(x) - OF_b(x)||_2 (module doc).

    0 for identical sequences; grows when b moves differently from a. Needs >= 2 frames each.
    """
    meter = TofMeter(preset, border)
    for t, (a, b) in enumerate(paired_frames(frames_a, frames_b, "frames_a and frames_b")):
        meter.update(a, b)
        if ctx is not None:
            ctx.step(t + 1, total or 0, "tOF")
    if meter.pairs == 0:
        raise InputError(None, "tOF needs at least 2 frames")
    return meter.value
