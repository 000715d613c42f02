"""One streaming pass over (generated, real) frame pairs -> the held-out quality report.

Used by training reports and benchmarks: PSNR and SSIM per frame (mean, min, optionally the
per-frame lists), E_warp of the generated sequence measured with the *real* video's flow and
occlusion mask, and the real video's own E_warp as the floor (flow is computed once for both);
optionally tOF between the two (two more flows per frame).
The result is a plain dict that `json.dumps` writes without NaN or Infinity.

Convention: frames are (H, W, 3) RGB, float32 in [0, 1] or uint8; a generated frame and its
real frame have one size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from render_core.jobs import JobContext
from render_core.metrics.image import as_float01, psnr, ssim
from render_core.metrics.temporal import TofMeter, WarpErrorMeter, paired_frames

PSNR_CAP_DB = 100.0  # identical frames give inf; capped per frame so means stay finite and JSON-safe


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@dataclass
class SequenceReport:
    """Accumulates per-frame and temporal metrics; `add` frames in order, then `to_dict`."""

    per_frame: bool = False
    ewarp: bool = True
    tof: bool = False
    flow_preset: str = "medium"
    psnr_values: list[float] = field(default_factory=list, init=False)
    ssim_values: list[float] = field(default_factory=list, init=False)
    _meter: WarpErrorMeter | None = field(default=None, init=False, repr=False)
    _tof: TofMeter | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.ewarp:
            self._meter = WarpErrorMeter(n_sequences=2, preset=self.flow_preset)
        if self.tof:
            self._tof = TofMeter(preset=self.flow_preset)

    def add(self, generated: np.ndarray, real: np.ndarray, mask: np.ndarray | None = None) -> None:
        """Add frame t. `mask` (H, W) restricts PSNR (not SSIM, not E_warp) to a region."""
        gen, ref = as_float01(generated, "generated"), as_float01(real, "real")
        self.psnr_values.append(min(psnr(gen, ref, mask), PSNR_CAP_DB))
        self.ssim_values.append(ssim(gen, ref))
        if self._meter is not None:
            self._meter.update(ref, [gen, ref])
        if self._tof is not None:
            self._tof.update(gen, ref)

    def to_dict(self) -> dict:
        """JSON-ready summary; E_warp entries are None with fewer than 2 counted frame pairs."""
        n = len(self.psnr_values)
        out: dict = {
            "frames": n,
            "psnr_mean": float(np.mean(self.psnr_values)) if n else None,
            "psnr_min": float(np.min(self.psnr_values)) if n else None,
            "ssim_mean": float(np.mean(self.ssim_values)) if n else None,
            "ssim_min": float(np.min(self.ssim_values)) if n else None,
            "psnr_cap_db": PSNR_CAP_DB,
        }
        if self._meter is not None:
            gen, real = (_finite_or_none(v) for v in self._meter.values)
            out["ewarp_generated"] = gen
            out["ewarp_real"] = real
            out["ewarp_ratio"] = gen / real if gen is not None and real else None
            out["ewarp_mask_fraction"] = _finite_or_none(self._meter.mask_fraction)
        if self._tof is not None:
            out["tof_px"] = _finite_or_none(self._tof.value)
        if self._meter is not None or self._tof is not None:
            out["flow_preset"] = self.flow_preset
        if self.per_frame:
            out["psnr_per_frame"] = list(self.psnr_values)
            out["ssim_per_frame"] = list(self.ssim_values)
        return out


def sequence_report(
    generated: Iterable[np.ndarray],
    real: Iterable[np.ndarray],
    per_frame: bool = False,
    ewarp: bool = True,
    tof: bool = False,
    flow_preset: str = "medium",
    ctx: JobContext | None = None,
    total: int | None = None,
) -> dict:
    """Stream both sequences once and return `SequenceReport.to_dict()`; lengths must match."""
    report = SequenceReport(per_frame=per_frame, ewarp=ewarp, tof=tof, flow_preset=flow_preset)
    for t, (gen, ref) in enumerate(paired_frames(generated, real, "generated and real")):
        report.add(gen, ref)
        if ctx is not None:
            ctx.step(t + 1, total or 0, "quality metrics")
    return report.to_dict()
