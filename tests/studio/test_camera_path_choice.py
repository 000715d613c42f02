"""View > Camera path of an image set: choosing a one-click path is an undoable document change
that rebuilds the frames as reopening would, a nerfstudio camera_path file is imported into the
project (a malformed one changes nothing and says so in one line naming it), and the path exports
as a file the core's reader reads back; the menu is disabled for a clip project."""

from __future__ import annotations

import json
from pathlib import Path

from render_core.edits.params import ViewpointParams
from render_core.project.capture import load_capture
from render_core.render.camera_path import path_cameras
from render_core.render.nerfstudio_path import read_camera_path, write_camera_path
from studio import commands as C
from studio import path_menu
from studio.image_set import PATH_FRAMES

VIEWS = 12  # the synthetic sphere's captured views


def _open(win, qtbot, path) -> None:
    with qtbot.waitSignal(win.session.opened, timeout=30_000):
        win.open_path(path)


def _key(win, frame: int) -> None:
    st = win.state
    layer = win.inspector.add_layer("viewpoint")
    st.undo_stack.push(C.SetKeyframe(st, layer.id, frame, ViewpointParams(orbit_yaw=20.0)))


def _path_file(image_set: Path, out: Path, frames: int = 9) -> Path:
    """A nerfstudio camera_path of `frames` cameras round the sphere, by the core's writer."""
    capture = load_capture(image_set / "captures" / "sphere" / "capture.json")
    write_camera_path(path_cameras(capture, frames, 64, 180.0), out, 24.0)
    return out


def test_following_the_capture_rebuilds_the_frames_and_undo_restores_the_orbit(opened_image_set, qtbot):
    win = opened_image_set
    st = win.state
    assert win.acts["path_orbit"].isChecked() and win.path_menu.isEnabled()
    _key(win, 100)  # past the capture path's last frame
    st.set_frame(50)
    st.undo_stack.setClean()
    win.acts["path_capture"].trigger()
    assert st.frame_count == VIEWS == len(st.image_set.cameras) and st.image_set.path == "capture"
    assert st.dirty and win.windowTitle().startswith("*") and st.frame == VIEWS - 1
    assert win.timeline.visible_frames() == VIEWS and win.acts["path_capture"].isChecked()
    assert "1 keyframe past frame 11" in win.status.currentMessage()
    assert 100 in st.timeline.layers[-1].keyframes  # kept in the document
    layer = st.timeline.layers[-1]  # it spanned the whole orbit: it spans the whole new path
    assert (layer.start, layer.end) == (0, VIEWS - 1)
    qtbot.waitUntil(lambda: win.viewer.shown_frame == VIEWS - 1, timeout=30_000)  # previewed
    st.undo_stack.undo()
    assert st.frame_count == PATH_FRAMES and st.image_set.path == "orbit" and not st.dirty
    assert win.acts["path_orbit"].isChecked() and st.document().camera_path.path == "orbit"
    assert st.timeline.layers[-1].end == PATH_FRAMES - 1
    st.undo_stack.redo()
    assert st.frame_count == VIEWS and st.document().camera_path.path == "capture"


def test_the_chosen_path_is_saved_and_reopened(opened_image_set, qtbot, image_set):
    win = opened_image_set
    win.acts["path_smooth"].trigger()
    assert win.save()
    assert json.loads((image_set / "project.json").read_text())["camera_path"]["path"] == "smooth"
    _open(win, qtbot, image_set)
    assert win.state.image_set.path == "smooth" and win.acts["path_smooth"].isChecked()
    assert not win.state.dirty


def test_importing_a_camera_path_copies_it_into_the_project(opened_image_set, qtbot, image_set, tmp_path):
    win = opened_image_set
    source = _path_file(image_set, tmp_path / "outside" / "walk.json")
    assert path_menu.import_file(win, str(source))
    st = win.state
    copied = image_set / "camera_paths" / "walk.json"
    assert copied.read_bytes() == source.read_bytes()
    assert st.document().camera_path.path == "camera_paths/walk.json" and st.frame_count == 9
    assert st.fps == 24.0 and win.acts["path_file"].isVisible() and win.acts["path_file"].isChecked()
    assert win.save()
    source.unlink()  # the saved document needs only the project folder
    _open(win, qtbot, image_set)
    assert win.state.frame_count == 9 and win.state.image_set.path == "walk"
    inside = _path_file(image_set, image_set / "paths" / "short.json", frames=5)
    assert path_menu.import_file(win, str(inside))  # inside the folder: used in place
    assert win.state.document().camera_path.path == "paths/short.json"
    assert sorted(p.name for p in (image_set / "camera_paths").iterdir()) == ["walk.json"]


def test_a_malformed_camera_path_changes_nothing_and_names_the_file(opened_image_set, image_set, tmp_path):
    win = opened_image_set
    bad = tmp_path / "broken.json"
    bad.write_text('{"camera_path": [')
    before = win.state.info
    assert not path_menu.import_file(win, str(bad))
    line = win.status.last_error[0]
    assert "broken.json" in line and "\n" not in line
    assert win.state.info is before and not win.state.dirty and win.state.undo_stack.count() == 0
    assert not (image_set / "camera_paths").exists() and win.acts["path_orbit"].isChecked()


def test_export_writes_the_path_the_core_reads_back(opened_image_set, tmp_path, monkeypatch):
    win = opened_image_set
    win.acts["path_capture"].trigger()
    out = tmp_path / "exported.json"
    monkeypatch.setattr(path_menu.QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    win.acts["path_export"].trigger()
    assert len(read_camera_path(out).cameras) == VIEWS == win.state.frame_count
    assert "keys" in win.acts["path_export"].toolTip()


def test_the_menu_is_disabled_for_a_clip_project(opened):
    assert not opened.path_menu.isEnabled()
    for key in ("path_orbit", "path_capture", "path_smooth", "path_import", "path_export"):
        assert not opened.acts[key].isEnabled(), key
    assert path_menu.import_file(opened, "/nowhere.json") is False
