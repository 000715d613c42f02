"""bench/gpu_check.sh says in one line that there is no GPU and exits 0."""

import shutil
import subprocess

import pytest

from tests.conftest import REPO


def test_gpu_check_without_a_gpu_is_one_line_and_exit_0():
    if shutil.which("nvidia-smi"):
        pytest.skip("this machine has nvidia-smi")
    r = subprocess.run(
        ["bash", str(REPO / "bench" / "gpu_check.sh")], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0
    assert r.stdout.strip().splitlines() == [
        "gpu_check: no NVIDIA GPU on this machine (nvidia-smi finds none); nothing to check"
    ]
