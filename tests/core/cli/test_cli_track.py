"""The CLI contract: exit codes, one JSON object last, one-line errors, clean cancel."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def run_main(*args: str, cwd: Path = REPO, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "GLOG_minloglevel": "2", "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def test_help_lists_commands():
    r = run_main("--help")
    assert r.returncode == 0
    for name in ("demo", "doctor", "track", "bench"):
        assert name in r.stdout


def test_doctor_json_reports_devices_and_models():
    r = run_main("doctor", "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    d = last_json(r.stdout)
    assert d["status"] == "ok" and d["device"] in ("cpu", "cuda")
    assert d["face_mesh_model"] == "loads" and d["pose_model"] == "loads"
    assert "libx264" in d["encoders"]


def test_track_writes_cache_and_summary(small_talking_head, tmp_path):
    r = run_main("track", str(small_talking_head), "--project", str(tmp_path), "--frames", "0:20", "--json")
    assert r.returncode == 0, r.stderr
    d = last_json(r.stdout)
    assert d["frames"] == 20 and d["face_valid"] >= 19
    assert Path(d["path"]).exists() and Path(d["path"]).parent == tmp_path / "cache" / "tracks"
    again = last_json(
        run_main(
            "track", str(small_talking_head), "--project", str(tmp_path), "--frames", "0:20", "--json"
        ).stdout
    )
    assert again["cached"] is True and again["path"] == d["path"]


@pytest.mark.parametrize("kind", ["missing", "text"])
def test_bad_input_is_one_line_exit_2(tmp_path, kind):
    clip = tmp_path / "clip.mp4"
    if kind == "text":
        clip.write_text("this is not a video\n")
    r = run_main("track", str(clip), "--project", str(tmp_path), "--json")
    assert r.returncode == 2
    err = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(err) == 1 and "clip.mp4" in err[0], r.stderr
    assert "Traceback" not in r.stderr
    assert last_json(r.stdout)["status"] == "error"


def test_ctrl_c_cancels_with_130_and_no_half_file(talking_head, tmp_path):
    env = {**os.environ, "GLOG_minloglevel": "2"}
    p = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "main.py"),
            "track",
            str(talking_head),
            "--project",
            str(tmp_path),
            "--json",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = ""
    while "tracking frame" not in seen and p.poll() is None:  # the progress bar shows frames
        seen += p.stderr.read(1)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 130, seen + err
    assert last_json(out)["status"] == "cancelled"
    tracks_dir = tmp_path / "cache" / "tracks"
    leftovers = list(tracks_dir.glob("*")) if tracks_dir.exists() else []
    assert leftovers == [], leftovers
