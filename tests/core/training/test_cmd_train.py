"""`main.py train portrait` end to end: JSON summary with the held-out report, resume, bad input."""

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO


def _train(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(REPO / "main.py"), "train", "portrait", "--json", "--quiet", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300)


@pytest.mark.slow
def test_cli_trains_resumes_and_reports(tracked, tmp_path):
    clip, tracks = tracked
    common = ["--clip", str(clip), "--tracks", str(tracks), "--out", str(tmp_path / "ck")]
    common += ["--resolution", "64", "--max-frames", "18", "--device", "cpu"]
    r = _train(*common, "--steps", "1", "--set", "lr=1e-3", "w_adv=0.5")
    assert r.returncode == 0, r.stderr[-2000:]
    s = json.loads(r.stdout.strip().splitlines()[-1])
    assert s["steps"] == 1 and s["checkpoint"].endswith("ck")
    assert {"psnr", "ssim", "baseline_psnr", "baseline_ssim", "ewarp", "ewarp_real"} <= set(s["heldout"])
    below = s["heldout"]["psnr"] < s["heldout"]["baseline_psnr"]  # then the summary says so
    assert ("warnings" in s) == below and (not below or "warp renderer" in s["warnings"][0])
    r = _train(*common, "--steps", "2", "--resume")
    assert json.loads(r.stdout.strip().splitlines()[-1])["steps"] == 2
    # the resumed run kept the settings the checkpoint was trained with, without repeating --set
    config = json.loads((tmp_path / "ck" / "model.json").read_text())["config"]
    assert config["lr"] == 1e-3 and config["w_adv"] == 0.5


@pytest.mark.slow
def test_cli_bad_setting_is_a_one_line_input_error(tracked, tmp_path):
    clip, tracks = tracked
    common = ["--clip", str(clip), "--tracks", str(tracks), "--out", str(tmp_path / "c"), "--set"]
    for bad, words in [
        ("nope=1", "has no setting 'nope'"),
        ("lr=fast", "expected a number"),
        ("lr", "name=value"),
    ]:
        r = _train(*common, bad)
        assert r.returncode == 2 and words in r.stderr, r.stderr[-500:]
        assert "Traceback" not in r.stderr


def test_cli_unknown_family_or_preset_is_an_input_error(tracked, tmp_path):
    clip, tracks = tracked
    r = _train("--clip", str(clip), "--tracks", str(tracks), "--preset", "nope", "--out", str(tmp_path / "c"))
    assert r.returncode == 2 and "unknown preset" in (r.stdout + r.stderr)
