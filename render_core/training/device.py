"""Device selection and mixed precision: auto picks CUDA when present. Autocast runs in
bfloat16 (no loss scaler needed) on CUDA where supported and on CPUs with AMX tiles; elsewhere
float32. With autocast, models and inputs use the channels-last memory format (oneDNN's and
cuDNN's fast layout for bfloat16 convolutions).

With AMX, bf16 autocast makes training steps faster; with AVX512-BF16 but no AMX it made them
slower (autocast's casts per layer outweigh the faster matmul on these small networks), so
AVX512-BF16 alone does not turn autocast on. Measurements: docs/performance.md."""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from render_core.errors import InputError


@dataclass(frozen=True)
class DeviceInfo:
    device: torch.device
    amp_dtype: torch.dtype | None  # None = full float32

    @property
    def name(self) -> str:
        amp = "" if self.amp_dtype is None else f"+{str(self.amp_dtype).removeprefix('torch.')}"
        if self.device.type == "cuda":
            return f"cuda:{torch.cuda.get_device_name(self.device)}{amp}"
        return f"cpu:{torch.get_num_threads()}threads{amp}"

    @property
    def memory_format(self) -> torch.memory_format:
        """Layout for 4-D model weights and inputs: channels-last under autocast."""
        return torch.contiguous_format if self.amp_dtype is None else torch.channels_last

    def autocast(self):
        """Context for forward passes: autocast with AMP, a no-op in full float32."""
        if self.amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.amp_dtype)


def cpu_threads() -> int:
    """Torch CPU threads for a job starting now: the cores not already busy, at least 1;
    `RENDER_CPU_THREADS` overrides.

    Why: with more OpenMP threads than free cores, torch's threads spin-wait on each other (a
    step can take 50x longer); on an idle machine all cores are the faster choice
    (measurements: docs/performance.md). Busy cores come from the CPU time used in the last 0.2 s where the
    system reports it (/proc/stat), else the 1-minute load average, which lags: right after
    another job ended it still reads busy and would halve a training run's speed."""
    if os.environ.get("RENDER_CPU_THREADS"):
        return max(1, int(os.environ["RENDER_CPU_THREADS"]))
    cores = os.cpu_count() or 1
    busy = busy_cores()
    return max(1, min(cores, round(cores - busy)))


def busy_cores(window_s: float = 0.2) -> float:
    """Cores' worth of CPU time other processes use now (/proc/stat over `window_s`), or the
    1-minute load average where /proc/stat is unavailable."""
    first = _cpu_times()
    if first is not None:
        time.sleep(window_s)
        second = _cpu_times()
        if second is not None and second[1] > first[1]:
            idle, total = second[0] - first[0], second[1] - first[1]
            return (os.cpu_count() or 1) * (1.0 - idle / total)
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


def _cpu_times() -> tuple[float, float] | None:
    """(idle + iowait, total) jiffies of all CPUs from /proc/stat; None where it is missing."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    vals = [float(v) for v in fields[1:]]
    return vals[3] + (vals[4] if len(vals) > 4 else 0.0), sum(vals[:8])


def cpu_bf16_supported() -> bool:
    """Whether bf16 autocast pays on this CPU: AMX tiles (see the module docstring for why
    AVX512-BF16 alone does not); `RENDER_CPU_AMP=0/1` overrides."""
    env = os.environ.get("RENDER_CPU_AMP")
    if env in ("0", "1"):
        return env == "1"
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " amx_bf16" in flags


def check_device(kind: str) -> str:
    """The device `kind` names (auto resolved), or a one-line InputError for one this machine
    does not have: checked before any work starts."""
    if kind == "auto":
        kind = "cuda" if torch.cuda.is_available() else "cpu"
    if kind != "cpu" and not re.fullmatch(r"cuda(:\d+)?", kind):
        raise InputError(None, f"unknown device {kind!r} (auto, cpu, cuda, cuda:N)")
    if kind.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(
            None, f"device {kind!r} requested but this machine has no CUDA GPU (use --device cpu)"
        )
    dev = torch.device(kind)
    if dev.type == "cuda" and (dev.index or 0) >= torch.cuda.device_count():
        raise InputError(
            None, f"device {kind!r} requested but this machine has {torch.cuda.device_count()} CUDA GPU(s)"
        )
    return kind


def select_device(kind: str = "auto", amp: bool = True) -> DeviceInfo:
    """kind: auto | cpu | cuda | cuda:N (N counts the GPUs CUDA_VISIBLE_DEVICES leaves)."""
    dev = torch.device(check_device(kind))
    if dev.type == "cuda":
        torch.cuda.set_device(dev)  # kernels and NCCL of this process run on it
    if dev.type == "cpu":
        torch.set_num_threads(cpu_threads())
    dtype = None
    if dev.type == "cuda" and amp and torch.cuda.is_bf16_supported():
        dtype = torch.bfloat16
    if dev.type == "cpu" and amp and cpu_bf16_supported():
        dtype = torch.bfloat16
    return DeviceInfo(dev, dtype)
