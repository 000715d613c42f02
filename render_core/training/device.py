"""Device selection and mixed precision: auto picks CUDA when present; AMP only on CUDA
(bfloat16 where supported, so no loss scaler is needed; else float32)."""

from __future__ import annotations

import contextlib
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


def select_device(kind: str = "auto", amp: bool = True) -> DeviceInfo:
    """kind: auto | cpu | cuda | cuda:N."""
    if kind == "auto":
        kind = "cuda" if torch.cuda.is_available() else "cpu"
    if kind.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(None, f"device {kind!r} requested but CUDA is not available")
    if kind != "cpu" and not kind.startswith("cuda"):
        raise InputError(None, f"unknown device {kind!r} (auto, cpu, cuda)")
    dev = torch.device(kind)
    dtype = None
    if dev.type == "cuda" and amp and torch.cuda.is_bf16_supported():
        dtype = torch.bfloat16
    return DeviceInfo(dev, dtype)
