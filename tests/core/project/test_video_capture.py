"""Camera recovery from a video: the scene box and camera conversion on known geometry,
refusals of videos that give no cameras, cancel, and the real orbit against its LLFF poses."""

import subprocess
import sys
import time

import numpy as np
import pytest

from render_core.errors import InputError
from render_core.geometry.cameras import invert_rigid, look_at
from render_core.jobs import Cancelled, JobContext, null_context
from render_core.project.capture import BOX_MARGIN, load_capture
from render_core.project.sfm import SfmResult
from render_core.project.video_capture import (
    OWNER_FILE,
    WORK_PREFIX,
    capture_from_sfm,
    capture_video,
    is_video_source,
    remove_stale_work,
)

from .video_clips import noise_image, write_video


def _ring(n: int, dist: float = 4.0, height: float = 1.0) -> np.ndarray:
    """OpenCV camera-to-world (n, 4, 4) on a ring about the origin, world up = +z."""
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    eyes = np.stack([dist * np.cos(angles), dist * np.sin(angles), np.full(n, height)], 1)
    return np.stack([look_at(e, np.zeros(3), np.array([0.0, 0.0, 1.0])) for e in eyes])


def test_capture_from_sfm_places_the_box_on_the_subject_not_the_room(tmp_path):
    rng = np.random.default_rng(0)
    subject = rng.normal(size=(2000, 3))  # a ball of radius 0.8, densest near its surface
    subject *= (
        0.8 * rng.uniform(0.5, 1, (2000, 1)) ** (1 / 3) / np.linalg.norm(subject, axis=1, keepdims=True)
    )
    angle = rng.uniform(0, 2 * np.pi, 3000)  # the room's walls, 10 units away
    room = np.stack([10 * np.cos(angle), 10 * np.sin(angle), rng.uniform(-2, 3, 3000)], 1)
    c2w = _ring(24)
    k = np.array([[300.0, 0, 159.5], [0, 300.0, 119.5], [0, 0, 1]])
    sfm = SfmResult(
        registered=tuple(range(24)),
        world_to_camera=invert_rigid(c2w),
        intrinsics=k,
        bounds=np.tile([3.2, 4.8], (24, 1)),
        points=np.concatenate([subject, room]),
        reprojection_error=0.5,
    )
    images = [tmp_path / f"{i:06d}.jpg" for i in range(24)]
    cap = capture_from_sfm(images, sfm, (320, 240), "video:test")
    np.testing.assert_allclose(cap.center, 0, atol=0.05)
    assert 0.7 * BOX_MARGIN < cap.radius < 0.85 * BOX_MARGIN  # the subject's 0.8, not the room's 10
    np.testing.assert_allclose(cap.camera_to_world, c2w, atol=1e-9)
    np.testing.assert_allclose(cap.intrinsics[5], k)
    assert cap.size == (320, 240) and cap.masks is None and cap.bounds.shape == (24, 2)
    assert cap.up @ np.array([0.0, 0.0, 1.0]) > 0.99  # the cameras' mean -y: level orbits


def test_only_files_other_than_camera_files_are_videos(tmp_path):
    (tmp_path / "clip.mov").write_bytes(b"x")
    (tmp_path / "transforms.json").write_text("{}")
    assert is_video_source(tmp_path / "clip.mov")
    assert not is_video_source(tmp_path / "transforms.json") and not is_video_source(tmp_path)


@pytest.mark.parametrize("kind", ["static_noise", "blank"])
def test_a_video_without_camera_motion_is_refused_with_the_registered_share(tmp_path, kind):
    frame = noise_image() if kind == "static_noise" else np.full((120, 160, 3), 128, np.uint8)
    video = write_video(tmp_path / f"{kind}.mp4", [frame] * 10)
    out = tmp_path / "p" / "captures" / kind / "capture.json"
    with pytest.raises(InputError, match=r"only 0% of 10 frames got a camera \(needs 40%\)") as err:
        capture_video(video, out, null_context())
    assert f"{kind}.mp4" in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "p").exists()  # nothing left behind: no work folder, no empty project


def test_a_cancelled_capture_leaves_nothing(tmp_path):
    video = write_video(tmp_path / "walk.mp4", [noise_image(seed=i) for i in range(12)])
    out = tmp_path / "p" / "captures" / "walk" / "capture.json"
    stages = []

    def cancel_at_features(p):
        stages.append(p.message)
        if p.message.startswith("features"):
            ctx.cancel()

    ctx = JobContext(cancel_at_features)
    with pytest.raises(Cancelled):
        capture_video(video, out, ctx)
    assert any(s.startswith("choosing frames") for s in stages)
    assert not (tmp_path / "p").exists()
    out.parent.mkdir(parents=True)  # an existing capture folder is kept, emptied of the work
    with pytest.raises(Cancelled):
        capture_video(video, out, ctx)
    assert out.parent.is_dir() and not list(out.parent.iterdir())


def _orbit_video(head, path, size: int) -> tuple:
    """The LLFF set's frames as a video in orbit order (by azimuth about the scene centre),
    masked to the subject: the set's poses are the head's, and it stood on a turntable, so
    the room in the unmasked frames moves with the camera, not with the head."""
    import cv2

    from render_core.project.capture import read_llff

    ref = read_llff(head, null_context())
    rel = ref.camera_to_world[:, :3, 3] - ref.center
    e1 = np.cross(ref.up, rel[0])
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(ref.up, e1)
    azimuth = np.unwrap(np.arctan2(rel @ e2, rel @ e1))
    order = np.argsort(azimuth - azimuth[0])
    masks = head / "masks_4"

    def frames():
        for i in order:
            img = cv2.imread(str(ref.images[i]))
            keep = cv2.imread(str(masks / (ref.images[i].stem + ".png")), cv2.IMREAD_GRAYSCALE) > 127
            img = cv2.resize(img * keep[..., None], (size, size), interpolation=cv2.INTER_AREA)
            yield img[..., ::-1]

    return ref, order, write_video(path, frames())


def _rotation_errors(r_est: np.ndarray, r_ref: np.ndarray) -> np.ndarray:
    """Degrees between world-to-camera rotations (N, 3, 3) after the best common world
    rotation Q (r_ref ~ r_est @ Q): the projection of the mean r_est^T r_ref onto SO(3)."""
    u, _, vt = np.linalg.svd(np.einsum("nji,njk->ik", r_est, r_ref))
    q = u @ np.diag([1.0, 1.0, np.linalg.det(u @ vt)]) @ vt
    rel = np.einsum("nij,jk,nlk->nil", r_est, q, r_ref)
    cos = (np.trace(rel, axis1=1, axis2=2) - 1) / 2
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


@pytest.mark.slow
@pytest.mark.footage
def test_orbit_video_cameras_match_the_llff_poses(tmp_path):
    from tests.conftest import footage_path

    head = footage_path("C_ethiopianHead_llff")
    size = 800
    ref, order, video = _orbit_video(head, tmp_path / "orbit.mp4", size)
    out = tmp_path / "p" / "captures" / "orbit" / "capture.json"
    start = time.perf_counter()
    result = capture_video(video, out, null_context())
    seconds = time.perf_counter() - start
    cap = load_capture(out)
    assert result.sampled == len(ref) and result.registered >= 0.9, result.registered
    frames = np.array(result.frame_indices)  # video frame k is LLFF view order[k]
    errors = _rotation_errors(cap.world_to_camera[:, :3, :3], ref.world_to_camera[order[frames], :3, :3])
    focal = ref.intrinsics[0, 0, 0] * size / ref.size[0]
    focal_error = cap.intrinsics[0, 0, 0] / focal - 1
    print(
        f"registered {result.registered:.2f}, median rotation error {np.median(errors):.2f} deg,"
        f" focal {cap.intrinsics[0, 0, 0]:.1f} vs {focal:.1f} px ({focal_error:+.1%}), {seconds:.0f} s"
    )
    assert np.median(errors) <= 3.0
    assert abs(focal_error) <= 0.1
    assert all(p.is_file() and p.parent == out.parent / "images" for p in cap.images)


def test_work_folders_of_killed_captures_are_removed_and_running_ones_kept(tmp_path):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        folders = {}
        for name, owner in (
            ("killed", gone.stdout.strip()),
            ("running", str(running.pid)),
            ("unowned", None),
        ):
            folders[name] = tmp_path / f"{WORK_PREFIX}{name}"
            (folders[name] / "images").mkdir(parents=True)
            if owner is not None:
                (folders[name] / OWNER_FILE).write_text(owner)
        removed = remove_stale_work(tmp_path)
    finally:
        running.kill()
    assert sorted(p.name for p in removed) == sorted([f"{WORK_PREFIX}killed", f"{WORK_PREFIX}unowned"])
    assert folders["running"].is_dir() and not folders["killed"].exists()
