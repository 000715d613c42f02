import os

import pytest

from render_core.training import device


def test_cpu_threads_leave_busy_cores_alone(monkeypatch):
    monkeypatch.delenv("RENDER_CPU_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(device, "busy_cores", lambda: 0.1)
    assert device.cpu_threads() == 2
    monkeypatch.setattr(device, "busy_cores", lambda: 3.5)
    assert device.cpu_threads() == 1
    monkeypatch.setenv("RENDER_CPU_THREADS", "3")
    assert device.cpu_threads() == 3


def test_busy_cores_come_from_cpu_time_now_not_the_lagging_load_average(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.9, 1.5, 1.0))  # a job that just ended
    samples = iter([(100.0, 200.0), (190.0, 300.0)])  # 90 of 100 jiffies idle since
    monkeypatch.setattr(device, "_cpu_times", lambda: next(samples))
    assert device.busy_cores(0.0) == pytest.approx(0.2)
    monkeypatch.setattr(device, "_cpu_times", lambda: None)  # no /proc/stat: the load average
    assert device.busy_cores(0.0) == pytest.approx(1.9)


def test_unknown_or_missing_devices_are_input_errors():
    from render_core.errors import InputError

    with pytest.raises(InputError):
        device.select_device("tpu")
    with pytest.raises(InputError, match="unknown device"):
        device.select_device("cuda1")
    if not __import__("torch").cuda.is_available():
        for kind in ("cuda", "cuda:1"):
            with pytest.raises(InputError, match="no CUDA GPU") as e:
                device.select_device(kind)
            assert "\n" not in e.value.one_line()


def test_cli_cuda_on_a_machine_without_one_is_one_line(tmp_path):
    import subprocess
    import sys

    import torch

    from tests.conftest import REPO

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    clip = tmp_path / "c.mp4"
    clip.write_bytes(b"")
    cmd = [
        sys.executable,
        str(REPO / "main.py"),
        "train",
        "portrait",
        "--clip",
        str(clip),
        "--device",
        "cuda:0",
    ]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode == 2 and r.stderr.strip().splitlines()[-1].startswith("error: device 'cuda:0'")


def test_cpu_autocast_is_bf16_channels_last_only_where_the_cpu_has_it(monkeypatch):
    import torch

    monkeypatch.setenv("RENDER_CPU_AMP", "1")
    d = device.select_device("cpu")
    assert d.amp_dtype == torch.bfloat16 and d.memory_format == torch.channels_last
    assert d.name.endswith("+bfloat16")
    with d.autocast():
        y = torch.nn.functional.conv2d(torch.rand(1, 3, 8, 8), torch.rand(4, 3, 3, 3))
    assert y.dtype == torch.bfloat16
    monkeypatch.setenv("RENDER_CPU_AMP", "0")
    d = device.select_device("cpu")
    assert d.amp_dtype is None and d.memory_format == torch.contiguous_format
    assert device.select_device("cpu", amp=False).amp_dtype is None


def test_bf16_detection_reads_the_cpu_flags(monkeypatch, tmp_path):
    monkeypatch.delenv("RENDER_CPU_AMP", raising=False)
    info = tmp_path / "cpuinfo"
    info.write_text("flags\t\t: fpu sse2 avx2 avx512f\n")
    real_path = device.Path
    monkeypatch.setattr(device, "Path", lambda p: info if p == "/proc/cpuinfo" else real_path(p))
    assert device.cpu_bf16_supported() is False
    info.write_text("flags\t\t: fpu sse2 avx2 avx512f avx512_bf16\n")  # slower than fp32 there
    assert device.cpu_bf16_supported() is False
    info.write_text("flags\t\t: fpu sse2 avx2 avx512f avx512_bf16 amx_bf16\n")
    assert device.cpu_bf16_supported() is True
