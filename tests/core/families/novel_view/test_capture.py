import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from render_core.errors import InputError
from render_core.geometry.cameras import invert_rigid
from render_core.project.capture import load_capture, read_capture, save_capture

from .conftest import DIST, FOCAL, RADIUS, orbit_c2w, write_llff

ROOT = Path(__file__).resolve().parents[4]
HEAD = Path("/work/shared/footage/C_ethiopianHead_llff")


def test_llff_cameras_are_opencv_and_box_fits_the_subject(llff_set):
    cap = read_capture(llff_set)
    assert len(cap) == 12 and cap.size == (32, 32) and cap.masks is not None
    np.testing.assert_allclose(cap.camera_to_world, orbit_c2w(12), atol=1e-9)
    np.testing.assert_allclose(cap.intrinsics[0], [[FOCAL, 0, 15.5], [0, FOCAL, 15.5], [0, 0, 1]])
    np.testing.assert_allclose(cap.center, 0, atol=1e-6)
    assert RADIUS <= cap.radius <= 1.6 * RADIUS  # from the masks, with a margin


def test_nerf_transforms_read_as_opencv(tmp_path, llff_set):
    c2w = orbit_c2w(12)
    gl = c2w.copy()
    gl[:, :3, 1:3] *= -1
    frames = [
        {"file_path": f"../sphere/images/{i:03d}.png", "transform_matrix": m.tolist()}
        for i, m in enumerate(gl)
    ]
    doc = {"fl_x": FOCAL, "fl_y": FOCAL, "cx": 16.0, "cy": 16.0, "w": 32, "h": 32, "frames": frames}
    (tmp_path / "nerf").mkdir()
    (tmp_path / "nerf" / "transforms.json").write_text(json.dumps(doc))
    cap = read_capture(tmp_path / "nerf")
    np.testing.assert_allclose(cap.world_to_camera, invert_rigid(c2w), atol=1e-9)
    # NeRF's image centre (w / 2, counted from the corner) is the LLFF reading's (first pixel's centre)
    np.testing.assert_allclose(cap.intrinsics[:, :2, 2], read_capture(llff_set).intrinsics[:, :2, 2])
    # Without masks or bounds the box comes from the field of view: around the sphere.
    assert 0.5 < cap.radius < DIST


def test_capture_round_trips_through_json(llff_set, tmp_path):
    cap = read_capture(llff_set)
    back = load_capture(save_capture(cap, tmp_path / "p" / "capture.json"))
    np.testing.assert_allclose(back.world_to_camera, cap.world_to_camera)
    assert back.images == cap.images and back.radius == cap.radius


def test_bad_captures_name_the_problem(tmp_path):
    with pytest.raises(InputError, match="too few images"):
        read_capture(write_llff(tmp_path / "two", n=2))
    with pytest.raises(InputError, match="rows"):
        read_capture(write_llff(tmp_path / "rows", n=6, rows=5))
    odd = write_llff(tmp_path / "sizes", n=6)
    cv2.imwrite(str(odd / "images" / "003.png"), np.zeros((20, 32, 3), np.uint8))
    with pytest.raises(InputError, match="different sizes"):
        read_capture(odd)


def _cli(*args):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT
    )


def test_capture_command_writes_the_project_and_exits_2_on_a_bad_set(tmp_path, llff_set):
    ok = _cli("capture", str(llff_set), "--project", str(tmp_path / "p.rfproj"), "--quiet", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout.strip().splitlines()[-1])["views"] == 12
    assert (tmp_path / "p.rfproj" / "captures" / "sphere" / "capture.json").is_file()
    bad = _cli("capture", str(write_llff(tmp_path / "rows", n=6, rows=4)), "--quiet")
    assert bad.returncode == 2
    assert len(bad.stderr.strip().splitlines()) == 1 and "poses_bounds.npy" in bad.stderr


@pytest.mark.slow
@pytest.mark.skipif(not HEAD.is_dir(), reason="shared footage not present")
def test_real_llff_head_cameras_look_at_the_subject():
    cap = read_capture(HEAD)
    assert len(cap) == 66 and cap.size == (1000, 1000)
    assert cap.intrinsics[0, 0, 0] == pytest.approx(cap.intrinsics[0, 0, 0])
    pc = cap.world_to_camera[:, :3, :3] @ cap.center + cap.world_to_camera[:, :3, 3]
    u = cap.intrinsics[:, 0, 0] * pc[:, 0] / pc[:, 2] + cap.intrinsics[:, 0, 2]
    v = cap.intrinsics[:, 1, 1] * pc[:, 1] / pc[:, 2] + cap.intrinsics[:, 1, 2]
    assert (pc[:, 2] > 0).all()  # the subject is in front of every camera (OpenCV z forward)
    assert (np.abs(u - 500) < 150).all() and (np.abs(v - 500) < 150).all()


@pytest.mark.slow
def test_capture_train_render_from_the_command_line(tmp_path, llff_set):
    proj = tmp_path / "set.rfproj"
    assert _cli("capture", str(llff_set), "--project", str(proj), "--quiet").returncode == 0
    tiny = ["resolution=32", "grid=10", "depth_samples=12", "eval_frames=2"]
    train = _cli(
        "train", "novel_view", "--project", str(proj), "--steps", "3", "--quiet", "--json", "--set", *tiny
    )
    assert train.returncode == 0, train.stderr
    report = json.loads(train.stdout.strip().splitlines()[-1])
    assert report["steps"] == 3 and "nearest_psnr" in report["heldout"]
    out = tmp_path / "orbit.mp4"
    render = _cli(
        "render", str(proj), "-o", str(out), "--height", "32", "--preset", "ultrafast", "--quiet", "--json"
    )
    assert render.returncode == 0, render.stderr
    assert json.loads(render.stdout.strip().splitlines()[-1])["frames"] == 120 and out.stat().st_size > 0


def test_a_cancelled_capture_writes_nothing(tmp_path, llff_set):
    from render_core.cli.cmd_capture import run
    from render_core.jobs import Cancelled, JobContext

    ctx = JobContext()
    ctx.cancel()
    args = type("Args", (), {"source": str(llff_set), "project": str(tmp_path / "p.rfproj"), "name": None})()
    with pytest.raises(Cancelled):
        run(args, ctx)
    assert not list((tmp_path).rglob("capture*.json"))


FOX = Path("/work/shared/footage/C_instantngp_fox")


@pytest.mark.slow
@pytest.mark.skipif(not FOX.is_dir(), reason="shared footage not present")
def test_real_nerf_fox_cameras_look_at_the_subject():
    cap = read_capture(FOX)
    assert len(cap) == 67 and cap.size == (1080, 1920) and cap.masks is None
    pc = cap.world_to_camera[:, :3, :3] @ cap.center + cap.world_to_camera[:, :3, 3]
    u = cap.intrinsics[:, 0, 0] * pc[:, 0] / pc[:, 2] + cap.intrinsics[:, 0, 2]
    v = cap.intrinsics[:, 1, 1] * pc[:, 1] / pc[:, 2] + cap.intrinsics[:, 1, 2]
    assert (pc[:, 2] > 0).all() and (u > 0).all() and (u < 1080).all() and (v > 0).all() and (v < 1920).all()
