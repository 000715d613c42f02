"""An image-set project keeps its viewpoint keys: Ctrl+S writes its edit document
(`project.json`, beside the captures) as a clip project's is written, reopening the folder,
its project.json or its capture.json restores the keys and the path, unsaved keys are asked
about on close and autosaved, and File > Export and `main.py render FOLDER` of the saved
document draw the frames from the same cameras."""

from __future__ import annotations

import errno
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from render_core.edits.params import ViewpointParams
from render_core.edits.timeline import EditTimeline
from render_core.project.document import CameraPathSettings
from render_core.project.io import load_image_set_document, save_project
from studio import commands as C
from studio.image_set import PATH_FRAMES


def _key(win, frame: int, params: ViewpointParams) -> str:
    """A viewpoint layer keyed at `frame`, as the inspector and a drag make it; its id."""
    st = win.state
    layer = win.inspector.add_layer("viewpoint")
    st.undo_stack.push(C.SetKeyframe(st, layer.id, frame, params))
    return layer.id


def _open(win, qtbot, path) -> None:
    with qtbot.waitSignal(win.session.opened, timeout=30_000):
        win.open_path(path)


def _keys(win) -> list[dict]:
    return [ly.to_json() for ly in win.state.timeline.layers]


def _save_path(folder: Path, settings: CameraPathSettings) -> None:
    """The folder's document saved on another path, as the studio would save it."""
    save_project(replace(load_image_set_document(folder), camera_path=settings), folder)


def test_ctrl_s_saves_the_keys_and_reopening_restores_them(opened_image_set, qtbot, image_set):
    win = opened_image_set
    assert not win.windowTitle().startswith("*")
    _key(win, 10, ViewpointParams(orbit_yaw=20.0, orbit_pitch=-10.0))
    assert win.state.dirty and win.windowTitle().startswith("*sphere.rfproj")
    win.acts["save"].trigger()  # Ctrl+S
    doc = image_set / "project.json"
    assert doc.exists() and not win.state.dirty and win.windowTitle().startswith("sphere.rfproj")
    saved = json.loads(doc.read_text())
    assert saved["camera_path"]["path"] == "orbit" and saved["camera_path"]["frames"] == PATH_FRAMES
    keys = _keys(win)
    for reopen in (image_set, doc, image_set / "captures" / "sphere" / "capture.json"):
        _open(win, qtbot, reopen)
        st = win.state
        assert st.image_set is not None and st.frame_count == PATH_FRAMES, reopen
        assert _keys(win) == keys and not st.dirty
        assert st.project_path == image_set.resolve()


def test_undo_after_a_save_makes_the_document_dirty_again(opened_image_set):
    win = opened_image_set
    _key(win, 0, ViewpointParams(orbit_yaw=15.0))
    assert win.save() and not win.state.dirty
    win.state.undo_stack.undo()
    assert win.state.dirty and win.windowTitle().startswith("*")
    win.state.undo_stack.redo()
    assert not win.state.dirty


def test_save_as_saves_beside_the_captures(opened_image_set, image_set):
    win = opened_image_set
    _key(win, 0, ViewpointParams(orbit_yaw=15.0))
    assert win.save_as() and (image_set / "project.json").exists() and not win.state.dirty


def test_the_saved_path_is_the_one_reopened(window, qtbot, image_set):
    """A document on the "capture" path (one frame per captured view) opens on that path."""
    _save_path(image_set, CameraPathSettings("capture"))
    _open(window, qtbot, image_set)
    st = window.state
    assert st.frame_count == len(st.image_set.capture) == 12 and st.image_set.path == "capture"
    assert "12-frame capture path" in window.status.currentMessage()


@pytest.mark.parametrize("reply", ["cancel", "save", "discard"])
def test_closing_with_unsaved_keys_asks_and_does_what_the_answer_says(opened_image_set, image_set, reply):
    win = opened_image_set
    _key(win, 5, ViewpointParams(orbit_pitch=20.0))
    auto = win.session.autosave_now()
    asked: list[str] = []
    win.ask_save = lambda text: asked.append(text) or reply
    closed = win.close()
    assert len(asked) == 1 and "Save the changes to sphere.rfproj" in asked[0]
    assert closed == (reply != "cancel")
    assert (image_set / "project.json").exists() == (reply == "save")
    assert auto.exists() == (reply == "cancel")  # a save or a discard drops the autosave
    assert win.state.dirty == (reply != "save")


def test_unsaved_keys_are_autosaved_and_offered_back(opened_image_set, qtbot, image_set):
    win = opened_image_set
    _key(win, 7, ViewpointParams(orbit_yaw=-30.0))
    keys = _keys(win)
    auto = win.session.autosave_now()
    assert auto == image_set.resolve() / "project.autosave.json"
    offered: list[Path] = []
    win.session.ask_recover = lambda path: offered.append(path) or True
    win.ask_save = lambda text: "cancel"
    win.state.undo_stack.setClean()  # as after a crash: nothing asks on the way
    _open(win, qtbot, image_set)
    assert offered == [auto] and _keys(win) == keys and win.state.dirty  # recovered, not saved


def test_a_failed_save_keeps_the_file_and_the_changes(opened_image_set, image_set, monkeypatch):
    win = opened_image_set
    _key(win, 0, ViewpointParams(orbit_yaw=10.0))
    assert win.save()
    before = (image_set / "project.json").read_bytes()
    _key(win, 20, ViewpointParams(orbit_yaw=40.0))

    def disk_full(path, text):
        Path(f"{path}.part").write_text(text[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("render_core.project.io.write_text_atomic", disk_full)
    assert win.save() is False
    assert (image_set / "project.json").read_bytes() == before and win.state.dirty
    assert "Not saved" in win.status.last_error[0] and "project.json" in win.status.last_error[0]
    win.ask_save = lambda text: "save"
    assert not win.close()  # the save failed: the window stays with the keys


def _fake_model(folder: Path) -> Path:
    """A novel-view checkpoint the recording renderer stands in for (no training)."""
    model = folder / "models" / "novel_view-cpu-preview"
    model.mkdir(parents=True)
    (model / "model.json").write_text(json.dumps({"family": "novel_view", "preset": "cpu-preview"}))
    (model / "model.safetensors").write_bytes(b"")
    return model


class _Recording:
    """A stand-in model that keeps the camera of every frame it draws."""

    def __init__(self, drawn: list) -> None:
        self.drawn = drawn

    def render_camera(self, cam) -> np.ndarray:
        self.drawn.append(np.asarray(cam.world_to_camera).copy())
        return np.full((4, 4, 3), 0.5, np.float32)


def test_export_and_render_of_the_saved_document_draw_the_same_cameras(
    window, qtbot, image_set, tmp_path, monkeypatch
):
    from render_core.cli.app import build_parser, main
    from render_core.cli.cmd_render import image_set_job
    from render_core.render.camera_path import document_cameras
    from studio.path_export import export_job, export_path
    from tests.studio.test_image_set_open import _HeightRenderer

    _fake_model(image_set)
    monkeypatch.setattr("render_core.render.registry.make_renderer", lambda *_a: _HeightRenderer())
    _save_path(image_set, CameraPathSettings(frames=12))  # a short orbit
    _open(window, qtbot, image_set)
    _key(window, 3, ViewpointParams(orbit_yaw=30.0, orbit_pitch=15.0))
    assert window.save()

    studio = document_cameras(*export_job(window.session, tmp_path / "studio.mp4"))
    args = build_parser()[0].parse_args(["render", str(image_set), "-o", str(tmp_path / "cli.mp4")])
    project, cfg = image_set_job(args, image_set)
    cli = document_cameras(project, cfg)
    unkeyed = document_cameras(replace(project, timeline=EditTimeline()), cfg)
    assert len(studio) == len(cli) == 12
    for a, b in zip(studio, cli, strict=True):
        np.testing.assert_array_equal(a.world_to_camera, b.world_to_camera)
        np.testing.assert_array_equal(a.intrinsics, b.intrinsics)
    assert not np.allclose(cli[3].world_to_camera, unkeyed[3].world_to_camera)  # the key moves it

    drawn: dict[str, list] = {"studio": [], "cli": []}
    into = {"list": drawn["studio"]}
    monkeypatch.setattr("render_core.render.camera_path.load_renderer", lambda *_a: _Recording(into["list"]))
    done: list = []
    job = export_path(window.session, tmp_path / "studio.mp4")
    job.signals.finished.connect(done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=120_000)
    into["list"] = drawn["cli"]
    assert main(["render", str(image_set), "-o", str(tmp_path / "cli.mp4"), "--quiet"]) == 0
    assert len(drawn["studio"]) == len(drawn["cli"]) == 12
    for a, b, want in zip(drawn["studio"], drawn["cli"], cli, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(b, want.world_to_camera)
