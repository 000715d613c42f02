"""`render FOLDER` of an image-set project draws its saved document: the camera path the studio
saved and the viewpoint keys on it; command-line path flags override the saved path; a folder
never saved renders the default orbit; an unreadable project.json is one error line, exit 2."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from render_core.edits.layer import EditLayer
from render_core.edits.params import ViewpointParams
from render_core.edits.timeline import EditTimeline
from render_core.project.capture import read_capture, save_capture
from render_core.project.document import CameraPathSettings
from render_core.project.io import load_image_set_document, save_project
from render_core.render.camera_path import document_cameras, document_config
from tests.core.cli.conftest import one_error_naming
from tests.core.families.novel_view.conftest import write_llff


@pytest.fixture
def image_set(tmp_path) -> Path:
    """An image-set project (a capture of the synthetic sphere) with a stand-in model checkpoint."""
    folder = tmp_path / "set.rfproj"
    save_capture(
        read_capture(write_llff(tmp_path / "sphere")), folder / "captures" / "sphere" / "capture.json"
    )
    model = folder / "models" / "novel_view-cpu-preview"
    model.mkdir(parents=True)
    (model / "model.json").write_text(json.dumps({"family": "novel_view", "preset": "cpu-preview"}))
    (model / "model.safetensors").write_bytes(b"")
    return folder


@pytest.fixture
def drawn(monkeypatch) -> list[np.ndarray]:
    """The world-to-camera matrix of every frame the render draws (a recording stand-in model)."""
    cameras: list[np.ndarray] = []

    class Recording:
        def render_camera(self, cam) -> np.ndarray:
            cameras.append(np.asarray(cam.world_to_camera).copy())
            return np.full((4, 4, 3), 0.5, np.float32)

    monkeypatch.setattr("render_core.render.camera_path.load_renderer", lambda *_a: Recording())
    return cameras


KEYED = EditTimeline((EditLayer("viewpoint", 0, 5, {2: ViewpointParams(orbit_yaw=40.0, orbit_pitch=20.0)}),))


def _save(folder: Path, timeline: EditTimeline = KEYED, **path) -> None:
    """The document the studio saves: a viewpoint layer on a short, small orbit."""
    settings = CameraPathSettings(**{"frames": 6, "height": 32, **path})
    save_project(replace(load_image_set_document(folder), timeline=timeline, camera_path=settings), folder)


def _frames(cli, folder: Path, out: Path, *flags) -> dict:
    """Write the path the render would draw (`-o PATH.json`); its summary."""
    r = cli("render", folder, *flags, "-o", out, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.splitlines()[-1])


def test_render_draws_the_saved_viewpoint_keys(cli, image_set, tmp_path, drawn):
    _save(image_set)
    r = cli("render", image_set, "--preset", "ultrafast", "-o", tmp_path / "keyed.mp4")
    assert r.returncode == 0, r.stderr
    project = load_image_set_document(image_set)
    want = document_cameras(project, document_config(project))
    unkeyed = document_cameras(replace(project, timeline=EditTimeline()), document_config(project))
    assert len(drawn) == 6
    for got, w in zip(drawn, want, strict=True):
        np.testing.assert_allclose(got, w.world_to_camera, atol=1e-12)
    assert not np.allclose(drawn[2], unkeyed[2].world_to_camera)  # the key moved the camera

    drawn.clear()
    _save(image_set, EditTimeline())
    assert cli("render", image_set, "--preset", "ultrafast", "-o", tmp_path / "plain.mp4").returncode == 0
    np.testing.assert_allclose(drawn[2], unkeyed[2].world_to_camera, atol=1e-12)


def test_without_a_document_the_default_orbit_renders(cli, image_set, tmp_path):
    summary = _frames(cli, image_set, tmp_path / "path.json")
    assert summary["frames"] == 120 and summary["size"] == [256, 256] and summary["path"] == "orbit"
    assert not (image_set / "project.json").exists()  # rendering never writes the document


def test_the_saved_path_renders_and_flags_override_it(cli, image_set, tmp_path):
    _save(image_set, path="capture")
    saved = _frames(cli, image_set, tmp_path / "a.json")
    assert (saved["frames"], saved["size"], saved["path"]) == (12, [32, 32], "capture")  # a view each
    orbit = _frames(cli, image_set, tmp_path / "b.json", "--camera-path", "orbit", "--height", "16")
    assert (orbit["frames"], orbit["size"], orbit["path"]) == (6, [16, 16], "orbit")


def test_a_saved_path_file_is_found_in_the_project_folder(cli, image_set, tmp_path, monkeypatch):
    written = image_set / "paths" / "short.json"
    written.parent.mkdir()
    _frames(cli, image_set, written, "--camera-path", "smooth", "--height", "32")
    _save(image_set, path="paths/short.json")
    monkeypatch.chdir(tmp_path)  # not where the project is
    assert _frames(cli, image_set, tmp_path / "again.json")["frames"] == 120


BROKEN = {
    "not JSON": "{",
    "newer schema": json.dumps({"schema_version": 99, "name": "x"}),
    "bad frames": json.dumps({"schema_version": 2, "name": "x", "camera_path": {"frames": "many"}}),
    "unknown path": json.dumps({"schema_version": 2, "name": "x", "camera_path": {"path": "spiral"}}),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_document_is_one_line_and_exit_2(cli, image_set, tmp_path, case):
    doc = image_set / "project.json"
    doc.write_text(BROKEN[case])
    r = cli("render", image_set, "-o", tmp_path / "out.mp4")
    one_error_naming(r, "project.json")
    assert not (tmp_path / "out.mp4").exists() and doc.read_text() == BROKEN[case]


def test_edit_keys_the_viewpoint_of_an_image_set_and_render_draws_it(cli, image_set, tmp_path, drawn):
    _save(image_set, EditTimeline())
    r = cli("edit", image_set, "viewpoint", "--at", "3", "--set", "orbit_yaw=30", "orbit_pitch=-10")
    assert r.returncode == 0, r.stderr
    project = load_image_set_document(image_set)
    (layer,) = project.timeline.layers
    assert layer.kind == "viewpoint" and (layer.start, layer.end) == (0, 5)  # the whole 6-frame path
    assert layer.keyframes[3].orbit_yaw == 30.0 and layer.keyframes[3].orbit_pitch == -10.0
    assert project.camera_path == CameraPathSettings(frames=6, height=32)  # the saved path is kept
    assert cli("render", image_set, "--preset", "ultrafast", "-o", tmp_path / "k.mp4").returncode == 0
    unkeyed = document_cameras(replace(project, timeline=EditTimeline()), document_config(project))
    assert not np.allclose(drawn[3], unkeyed[3].world_to_camera)


@pytest.mark.parametrize(
    "args, words",
    [
        (("viewpoint", "--at", "6", "--set", "orbit_yaw=30"), "outside the camera path (0..5)"),
        (("expression", "--at", "1", "--set", "jaw_open=0.5"), "only viewpoint keys"),
    ],
)
def test_edit_of_an_image_set_refuses_what_it_cannot_key(cli, image_set, args, words):
    _save(image_set, EditTimeline())
    before = (image_set / "project.json").read_bytes()
    assert words in one_error_naming(cli("edit", image_set, *args), image_set.name)
    assert (image_set / "project.json").read_bytes() == before


def test_a_written_camera_path_holds_the_keyed_cameras(cli, image_set, tmp_path):
    """`-o PATH.json` writes the shot the user keyed: the cameras the render draws."""
    from render_core.render.nerfstudio_path import read_camera_path

    _save(image_set)
    summary = _frames(cli, image_set, tmp_path / "keyed.json")
    assert summary["keyed"] is True
    project = load_image_set_document(image_set)
    want = document_cameras(project, document_config(project))
    got = read_camera_path(tmp_path / "keyed.json")
    unkeyed = document_cameras(replace(project, timeline=EditTimeline()), document_config(project))
    for g, w in zip(got.cameras, want, strict=True):
        np.testing.assert_allclose(g.world_to_camera, w.world_to_camera, atol=1e-6)
    assert not np.allclose(got.cameras[2].world_to_camera, unkeyed[2].world_to_camera, atol=1e-3)
