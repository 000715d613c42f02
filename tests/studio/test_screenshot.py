"""A real window under Xvfb (not the offscreen plugin): the studio with a clip loaded, overlays
on, split view and keyframed layers, saved as a PNG and checked to be a painted editor."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import REPO


def test_screenshot_under_xvfb(tmp_path, clip_path, studio_cache):
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        pytest.skip("xvfb-run not installed (apt-get install xvfb libxcb-icccm4 libxcb-keysyms1)")
    out = tmp_path / "studio.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "RENDER_STUDIO_CACHE": str(studio_cache)}
    env.pop("DISPLAY", None)
    cmd = [xvfb_run, "-a", "-s", "-screen 0 1600x1000x24", sys.executable, "-m", "studio.screenshot",
           str(out), str(clip_path), "60"]  # fmt: skip
    r = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr[-3000:]
    import cv2

    img = cv2.imread(str(out))
    assert img is not None and img.shape[0] >= 800 and img.shape[1] >= 1400
    assert img.std() > 20  # a painted window, not a blank one
    if os.environ.get("STUDIO_SCREENSHOT"):
        shutil.copy(out, os.environ["STUDIO_SCREENSHOT"])
    assert np.unique(img.reshape(-1, 3), axis=0).shape[0] > 500  # video frame + UI, not flat fills
