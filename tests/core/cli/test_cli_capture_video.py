"""`main.py capture VIDEO`: a video that cannot give cameras is one `error:` line naming it,
exit 2, whatever stage refuses it (decoding, length, registration)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

from tests.conftest import REPO
from tests.core.cli.conftest import one_error_naming
from tests.core.project.video_clips import noise_image, write_video


def test_an_unreadable_video_is_one_line(cli, tmp_path):
    video = tmp_path / "walk.mp4"
    video.write_text("not a video")
    r = cli("capture", video, "--project", tmp_path / "p", "--quiet")
    assert "not a readable video" in one_error_naming(r, "walk.mp4")
    assert not (tmp_path / "p" / "captures" / "walk" / "capture.json").exists()


def test_a_too_short_video_is_one_line(cli, tmp_path):
    video = write_video(tmp_path / "short.mp4", [noise_image()] * 3)
    r = cli("capture", video, "--project", tmp_path / "p", "--quiet", "--json")
    assert "too short: 3 frames" in one_error_naming(r, "short.mp4")
    assert json.loads(r.stdout.strip().splitlines()[-1])["status"] == "error"


def test_a_blank_video_is_refused_with_the_registered_share_and_nothing_else(tmp_path):
    """In a subprocess without GLOG settings, so COLMAP's own log lines would show."""
    video = write_video(tmp_path / "blank.mp4", [np.full((120, 160, 3), 90, np.uint8)] * 12)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLOG_")}
    r = subprocess.run(
        [
            sys.executable,
            str(REPO / "main.py"),
            "capture",
            str(video),
            "--project",
            str(tmp_path / "p"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "blank.mp4" in lines[0], r.stderr
    assert "only 0% of 12 frames got a camera (needs 40%)" in lines[0]
    assert not (tmp_path / "p").exists()  # no work folder, no empty project left
