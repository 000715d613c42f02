"""`render` of an image-set project along camera paths: the steadied one-click path, a path
written as a nerfstudio camera_path (`-o PATH.json`) and one read back from such a file."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
import torch

from render_core.project.capture import load_capture, read_capture, save_capture
from render_core.render.camera_path import path_cameras
from render_core.render.nerfstudio_path import read_camera_path
from tests.core.cli.conftest import one_error_naming
from tests.core.families.novel_view.conftest import write_llff

TINY = {"resolution": 32, "grid": 10, "depth_samples": 12, "eval_frames": 2}


@pytest.fixture
def image_set(tmp_path) -> Path:
    """An image-set project (a capture of the synthetic sphere, no model yet)."""
    folder = tmp_path / "set.rfproj"
    save_capture(
        read_capture(write_llff(tmp_path / "sphere")), folder / "captures" / "sphere" / "capture.json"
    )
    return folder


def _train_two_steps(folder: Path) -> None:
    from render_core.families.registry import get_family
    from render_core.jobs import null_context
    from render_core.training.trainer import TrainConfig, run_training

    torch.set_num_threads(1)
    cap = folder / "captures" / "sphere" / "capture.json"
    out = folder / "models" / "novel_view-cpu-preview"
    cfg = TrainConfig("novel_view", [cap], out, steps=2, overrides=TINY, tensorboard=False)
    run_training(cfg, get_family("novel_view"), null_context())


def test_a_written_path_reads_back_as_the_same_cameras(cli, image_set, tmp_path):
    out = tmp_path / "smooth.json"
    r = cli("render", image_set, "--camera-path", "smooth", "--height", "32", "-o", out, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.splitlines()[-1])["frames"] == 120
    capture = load_capture(image_set / "captures" / "sphere" / "capture.json")
    want = path_cameras(capture, 120, 32, kind="smooth")
    got = read_camera_path(out, capture.center, capture.up)
    assert got.fps == pytest.approx(30.0)
    for a, b in zip(want, got.cameras, strict=True):
        np.testing.assert_allclose(b.world_to_camera, a.world_to_camera, atol=1e-6)
        np.testing.assert_allclose(b.intrinsics, a.intrinsics, atol=1e-6)


def test_the_image_set_renders_along_an_imported_path(cli, image_set, tmp_path):
    """Written, thinned to every 20th camera as another tool might edit it, rendered."""
    path = tmp_path / "orbit.json"
    assert cli("render", image_set, "--height", "32", "-o", path, "--quiet").returncode == 0
    doc = json.loads(path.read_text())
    doc["camera_path"] = doc["camera_path"][::20]
    doc["seconds"] = len(doc["camera_path"]) / 12  # 12 frames a second
    path.write_text(json.dumps(doc))
    _train_two_steps(image_set)
    video = tmp_path / "along.mp4"
    r = cli(
        "render", image_set, "--camera-path", path, "--height", "32", "--preset", "ultrafast", "-o", video
    )
    assert r.returncode == 0, r.stderr
    with av.open(str(video)) as c:
        stream = c.streams.video[0]
        frames = list(c.decode(video=0))
        assert stream.average_rate == 12
    assert len(frames) == 6 and (frames[0].width, frames[0].height) == (32, 32)


EYE = np.eye(4).reshape(-1).tolist()
MALFORMED = {
    "not JSON": "camera_path = [",
    "missing keys": json.dumps({"camera_path": [{"camera_to_world": EYE, "fov": 50}]}),
    "wrong shape": json.dumps(
        {"render_width": 8, "render_height": 8, "camera_path": [{"camera_to_world": [1, 0, 0], "fov": 50}]}
    ),
    "not invertible": json.dumps(
        {
            "render_width": 8,
            "render_height": 8,
            "camera_path": [{"camera_to_world": [0.0] * 15 + [1.0], "fov": 50}],
        }
    ),
    "zero cameras": json.dumps({"render_width": 8, "render_height": 8, "camera_path": []}),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_camera_path_file_is_one_line_and_exit_2(cli, image_set, tmp_path, case):
    bad = tmp_path / "bad.json"
    bad.write_text(MALFORMED[case])
    r = cli("render", image_set, "--camera-path", bad, "-o", tmp_path / "out.mp4")
    one_error_naming(r, "bad.json")
    assert not (tmp_path / "out.mp4").exists()


def test_an_unknown_camera_path_name_is_an_argument_error(cli, image_set, tmp_path):
    r = cli("render", image_set, "--camera-path", "spiral", "-o", tmp_path / "out.mp4")
    assert r.returncode == 2 and "spiral" in r.stderr and "smooth" in r.stderr
