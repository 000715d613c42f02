import os

import pytest

from render_core.training import device


def test_cpu_threads_leave_busy_cores_alone(monkeypatch):
    monkeypatch.delenv("RENDER_CPU_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    assert device.cpu_threads() == 2
    monkeypatch.setattr(os, "getloadavg", lambda: (3.5, 3.0, 2.0))
    assert device.cpu_threads() == 1
    monkeypatch.setenv("RENDER_CPU_THREADS", "3")
    assert device.cpu_threads() == 3


def test_unknown_or_missing_devices_are_input_errors():
    from render_core.errors import InputError

    with pytest.raises(InputError):
        device.select_device("tpu")
    if not __import__("torch").cuda.is_available():
        with pytest.raises(InputError):
            device.select_device("cuda")
