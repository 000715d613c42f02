"""The studio opens an image-set project (a capture, no clip): its frames are the camera path
`render` draws, previewed through the project's novel-view model by the export's own
per-frame step; before a model exists, the captured photos nearest to the path stand in."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from render_core.edits.params import ViewpointParams
from render_core.edits.timeline import EditTimeline
from render_core.families.registry import load_renderer
from render_core.geometry.cameras import invert_rigid
from render_core.render.camera_path import path_frame
from studio import commands as C
from studio.image_set import PATH_FRAMES, PATH_HEIGHT, image_set_folder
from studio.path_preview import to_uint8


def _rgb(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return a[:, : img.width() * 3].reshape(img.height(), img.width(), 3).copy()


def test_an_image_set_opens_on_its_camera_path_without_tracking(opened_image_set, image_set):
    win = opened_image_set
    st = win.state
    assert st.image_set is not None and st.frame_count == PATH_FRAMES and st.renderer == "warp"
    assert (st.info.height, win.viewer.original.height()) == (PATH_HEIGHT, PATH_HEIGHT)
    assert win.session.track_job is None and st.tracks is None
    assert "nearest captured photos" in win.status.currentMessage()
    assert image_set_folder(image_set / "captures" / "sphere" / "capture.json") == image_set.resolve()
    assert win.windowTitle().startswith("sphere.rfproj")


class _HeightRenderer:
    """A stand-in model whose frame tells the camera's height over the sphere (world -y): a
    2-step model draws nearly the same grey from every camera."""

    def render_camera(self, cam) -> np.ndarray:
        height = -invert_rigid(np.asarray(cam.world_to_camera))[1, 3]
        return np.full((4, 4, 3), 0.5 + 0.1 * height, np.float32)


def _open_trained(window, qtbot, folder) -> None:
    window.open_path(folder)
    qtbot.waitUntil(lambda: window.viewer.original is not None, timeout=60_000)


def test_the_preview_draws_the_path_through_the_projects_model(window, qtbot, trained_image_set):
    _open_trained(window, qtbot, trained_image_set)
    st = window.state
    assert st.renderer == "novel_view-cpu-preview" and "drawn by" in window.status.currentMessage()
    st.set_frame(5)
    qtbot.waitUntil(lambda: window.viewer.shown_frame == 5, timeout=60_000)
    renderer = load_renderer("novel_view", trained_image_set / "models" / "novel_view-cpu-preview", "cpu")
    want = to_uint8(path_frame(renderer, st.image_set.sources, EditTimeline(), 5, edits=False))
    assert np.abs(_rgb(window.viewer.original).astype(int) - want).max() <= 1


def test_a_viewpoint_key_shows_as_the_edit_over_the_path(window, qtbot, trained_image_set, monkeypatch):
    monkeypatch.setattr("render_core.render.registry.make_renderer", lambda *_a: _HeightRenderer())
    _open_trained(window, qtbot, trained_image_set)
    st = window.state
    layer = window.inspector.add_layer("viewpoint")
    st.undo_stack.push(C.SetKeyframe(st, layer.id, 5, ViewpointParams(orbit_pitch=30.0)))
    st.set_frame(5)
    qtbot.waitUntil(
        lambda: window.viewer.edited is not None and window.viewer.shown_frame == 5, timeout=60_000
    )
    raised = 0.5 + 0.1 * 4.0 * np.sin(np.radians(30.0))  # the camera 4 units out, raised 30 degrees
    assert abs(_rgb(window.viewer.edited).mean() / 255 - raised) < 0.02
    assert abs(_rgb(window.viewer.original).mean() / 255 - 0.5) < 0.02


def test_the_path_plays(opened_image_set, qtbot):
    session = opened_image_set.session
    session.play()
    qtbot.waitUntil(lambda: opened_image_set.viewer.shown_frame >= 3, timeout=20_000)
    session.stop()
    assert session.stream is None or not session.stream.active


def test_export_renders_the_path_with_its_viewpoint_keys(
    window, qtbot, trained_image_set, tmp_path, monkeypatch
):
    import av

    from studio.path_export import export_path

    _open_trained(window, qtbot, trained_image_set)
    monkeypatch.setattr("render_core.render.camera_path.load_renderer", lambda *_a: _HeightRenderer())
    st = window.state
    layer = window.inspector.add_layer("viewpoint")
    st.undo_stack.push(C.SetKeyframe(st, layer.id, 0, ViewpointParams(orbit_pitch=30.0)))
    done = []
    job = export_path(window.session, tmp_path / "orbit.mp4")
    job.signals.finished.connect(done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=120_000)
    with av.open(str(tmp_path / "orbit.mp4")) as c:
        first = next(c.decode(video=0)).to_ndarray(format="rgb24")
    assert done[0]["frames"] == PATH_FRAMES and first.shape[0] == PATH_HEIGHT
    assert done[0]["model"].endswith("novel_view-cpu-preview")  # the model the preview draws with
    raised = 0.5 + 0.1 * 4.0 * np.sin(np.radians(30.0))
    assert abs(first.mean() / 255 - raised) < 0.03  # the edited camera, as previewed


def test_a_model_trained_from_the_studio_draws_the_path(opened_image_set, qtbot, image_set):
    from studio import dialogs

    win = opened_image_set
    dialogs.show_train(win)
    dlg = win.train_dialog
    assert dlg.family.currentText() == "novel_view"
    dlg.preset.setCurrentText("cpu-preview")
    dlg.device.setCurrentText("cpu")
    dlg.minutes.setValue(0)
    dlg.steps.setValue(2)
    dlg.overrides = {"resolution": 32, "grid": 10, "depth_samples": 12, "eval_frames": 2}
    cfg = dlg.config(resume=False)
    assert cfg.clips == [win.state.image_set.capture_file] and cfg.project_dir == image_set.resolve()
    with qtbot.waitSignal(dlg.ended, timeout=120_000):
        dlg.start()
    model = image_set.resolve() / "models" / "novel_view-cpu-preview"
    assert str(model) in win.library.paths()
    win.library.use(model)
    assert win.state.renderer == "novel_view-cpu-preview"
    st = win.state
    st.set_frame(3)
    qtbot.waitUntil(lambda: win.viewer.shown_frame == 3, timeout=60_000)
    renderer = load_renderer("novel_view", model, "cpu")
    want = to_uint8(path_frame(renderer, st.image_set.sources, EditTimeline(), 3, edits=False))
    assert np.abs(_rgb(win.viewer.original).astype(int) - want).max() <= 1


def test_the_studio_starts_without_loading_torch():
    """Image-set support loads the render core's path code on first use: the window opens as
    fast as before (torch takes over a second to import)."""
    import subprocess
    import sys

    from tests.conftest import REPO

    code = "import sys, studio.main_window; assert 'torch' not in sys.modules, 'torch loaded'"
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
