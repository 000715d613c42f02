"""Device selection and mixed precision: auto picks CUDA when present; AMP only on CUDA
(bfloat16 where supported, so no loss scaler is needed; else float32)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import torch

from render_core.errors import InputError


@dataclass(frozen=True)
class DeviceInfo:
    device: torch.device
    amp_dtype: torch.dtype | None  # None = full float32

    @property
    def name(self) -> str:
        if self.device.type == "cuda":
            return f"cuda:{torch.cuda.get_device_name(self.device)}"
        return f"cpu:{torch.get_num_threads()}threads"

    def autocast(self):
        """Context for forward passes: autocast on CUDA with AMP, a no-op otherwise."""
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)


def cpu_threads() -> int:
    """Torch CPU threads for a job starting now: the cores not already busy (1-minute load
    average), at least 1; `RENDER_CPU_THREADS` overrides.

    Why: with more OpenMP threads than free cores, torch's threads spin-wait on each other.
    Measured on the 2-core machine under a load of ~3: a body training step took 16.8 s with
    2 threads and 0.34 s with 1; on an idle machine 2 threads are the faster choice."""
    if os.environ.get("RENDER_CPU_THREADS"):
        return max(1, int(os.environ["RENDER_CPU_THREADS"]))
    cores = os.cpu_count() or 1
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(cores, round(cores - busy)))


def select_device(kind: str = "auto", amp: bool = True) -> DeviceInfo:
    """kind: auto | cpu | cuda | cuda:N."""
    if kind == "auto":
        kind = "cuda" if torch.cuda.is_available() else "cpu"
    if kind.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(None, f"device {kind!r} requested but CUDA is not available")
    if kind != "cpu" and not kind.startswith("cuda"):
        raise InputError(None, f"unknown device {kind!r} (auto, cpu, cuda)")
    dev = torch.device(kind)
    if dev.type == "cpu":
        torch.set_num_threads(cpu_threads())
    dtype = None
    if dev.type == "cuda" and amp and torch.cuda.is_bf16_supported():
        dtype = torch.bfloat16
    return DeviceInfo(dev, dtype)
