"""End to end in the main window: open a real clip -> frame at once, tracks arrive; edit
through the inspector -> document changes and a preview is requested; undo restores; a joint
drag in the viewer makes a body_pose keyframe; cancel works; autosave is recovered."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from studio.inspector import params_at


def qimage_array(img) -> np.ndarray:
    img = img.convertToFormat(img.Format.Format_RGB888)
    return np.array(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())[:, : 3 * img.width()]


def test_open_shows_frame_and_tracks_arrive(opened):
    st, viewer = opened.state, opened.viewer
    assert st.info.frame_count == st.tracks.meta["frames"] > 10
    assert viewer.original.width() == st.info.width  # 176x144 < 480p: shown at full size
    assert st.tracks.face.valid.any()
    assert opened.windowTitle().endswith("Render Studio") and not st.dirty


def test_inspector_keyframe_changes_project_and_requests_preview(opened, qtbot):
    st, insp, preview = opened.state, opened.inspector, opened.session.preview
    layer = insp.add_layer("expression")
    st.set_frame(12)
    issued = preview.issued
    row = insp.panel.rows["jaw_open"]
    row.spin.setValue(0.8)  # the user types a value in the spin box
    key = st.timeline.layer(layer.id).keyframes
    assert list(key) == [12] and key[12].jaw_open == 0.8
    assert row.slider.value() == row._to_tick(0.8)
    assert preview.issued > issued and st.dirty and opened.windowTitle().startswith("*")
    qtbot.waitUntil(
        lambda: opened.viewer.edited is not None and opened.viewer.shown_frame == 12, timeout=20_000
    )
    before, after = qimage_array(opened.viewer.original), qimage_array(opened.viewer.edited)
    assert before.shape == after.shape
    assert np.abs(before.astype(int) - after.astype(int)).max() > 30  # the mouth opened
    assert opened.status.last_error is None
    st.undo_stack.undo()
    assert st.timeline.layer(layer.id).keyframes == {}
    assert row.spin.value() == 0.0  # the panel follows the model back
    qtbot.waitUntil(lambda: opened.viewer.edited is None, timeout=20_000)  # the preview too
    st.undo_stack.undo()
    assert st.timeline.layers == () and not st.dirty


def test_joint_drag_makes_body_pose_keyframe(opened, qtbot):
    st, viewer = opened.state, opened.viewer
    t = int(np.flatnonzero(st.tracks.body.valid)[0])
    st.set_frame(t)
    qtbot.waitUntil(lambda: viewer.shown_frame == t, timeout=10_000)
    nose = st.tracks.body.joints[t, 0, :2]
    start = viewer.transform().map(QPointF(float(nose[0]), float(nose[1])))
    end = start + QPointF(25.0, 0.0)
    qtbot.mousePress(viewer, Qt.MouseButton.LeftButton, pos=start.toPoint())
    qtbot.mouseMove(viewer, pos=QPoint(int(start.x() + 12), int(start.y())))
    qtbot.mouseMove(viewer, pos=end.toPoint())
    qtbot.mouseRelease(viewer, Qt.MouseButton.LeftButton, pos=end.toPoint())
    layers = [ly for ly in st.timeline.layers if ly.kind == "body_pose"]
    assert len(layers) == 1 and list(layers[0].keyframes) == [t]
    neck = params_at(layers[0], t).neck
    assert neck > 1.0  # dragging the head to the image right tilts it clockwise (+neck)


def test_cancel_tracking_leaves_no_cache(window, qtbot, clip_path, tmp_path, monkeypatch):
    monkeypatch.setenv("RENDER_STUDIO_CACHE", str(tmp_path / "fresh"))
    window.open_path(clip_path)
    qtbot.waitUntil(lambda: window.session.track_job is not None, timeout=20_000)
    job = window.session.track_job
    with qtbot.waitSignal(job.signals.cancelled, timeout=30_000):
        window.status.cancel_current()
    assert window.state.tracks is None
    assert not list((tmp_path / "fresh").rglob("*.npz"))


def test_autosave_is_offered_and_recovered(opened, qtbot, clip_path):
    st, session = opened.state, opened.session
    layer = opened.inspector.add_layer("gaze")
    path = session.autosave_now()
    assert path is not None and path.exists()
    session.ask_recover = lambda p: True
    with qtbot.waitSignal(session.opened, timeout=30_000):
        session.open(clip_path)
    assert st.tracks is None  # the reopened document starts without tracks...
    qtbot.waitUntil(lambda: st.tracks is not None, timeout=30_000)  # ...the cached ones arrive
    assert [ly.id for ly in st.timeline.layers] == [layer.id] and st.dirty
    session.save(path.parent.parent / "saved")
    assert not st.dirty and st.project_path.name == "saved.rfproj"
    assert (st.project_path / "project.json").exists()


def test_driving_clip_for_reenact_layer_and_inset(opened, qtbot, clip_with_audio):
    from render_core.edits.params import ReenactFaceParams
    from studio import commands as C

    st, insp = opened.state, opened.inspector
    layer = insp.add_layer("reenact_face")
    assert insp.driving_button.isVisibleTo(insp) and "choose" in insp.driving_label.text()
    st.undo_stack.push(C.SetKeyframe(st, layer.id, 0, ReenactFaceParams(strength=1.0)))
    insp.choose_driving_clip(clip_with_audio)
    qtbot.waitUntil(lambda: st.project.driving_clips != (), timeout=20_000)
    cid = st.timeline.layer(layer.id).settings["driving_clip"]
    assert st.project.driving_clips == (cid,) and st.project.clip_path(cid) == clip_with_audio.resolve()
    assert "talk_audio.mp4" in insp.driving_label.text()
    st.set_frame(7)
    qtbot.waitUntil(lambda: opened.inset.shown_frame == 7 and opened.inset.isVisible(), timeout=20_000)
    assert opened.inset.pixmap().height() == 144  # small clip: shown at its own size
    st.undo_stack.undo()
    assert st.project.driving_clips == () and "driving_clip" not in st.timeline.layer(layer.id).settings


def test_shortcuts_play_step_keyframe_undo(opened, qtbot):
    st, win = opened.state, opened
    layer = win.inspector.add_layer("gaze")
    win.viewer.setFocus()
    qtbot.keyClick(win.viewer, Qt.Key.Key_Right)
    qtbot.keyClick(win.viewer, Qt.Key.Key_Right)
    assert st.frame == 2
    qtbot.keyClick(win.viewer, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)
    assert list(st.timeline.layer(layer.id).keyframes) == [2]
    qtbot.keyClick(win.viewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert st.timeline.layer(layer.id).keyframes == {}
    qtbot.keyClick(win.viewer, Qt.Key.Key_End)
    assert st.frame == st.frame_count - 1
    qtbot.keyClick(win.viewer, Qt.Key.Key_Home)
    qtbot.keyClick(win.viewer, Qt.Key.Key_Space)
    assert win.session.playing
    qtbot.waitUntil(lambda: st.frame >= 6, timeout=5_000)  # 30 fps wall-clock playback
    qtbot.keyClick(win.viewer, Qt.Key.Key_Space)
    assert not win.session.playing


def test_close_with_running_job_asks(window, qtbot):
    import threading

    release = threading.Event()
    job = window.session.runner.submit(lambda ctx: (release.wait(10), ctx.check()), "slow job")
    questions = []
    window.confirm = lambda title, text: questions.append(title) or False
    assert not window.close()  # the user said no: the window stays, the job keeps running
    assert questions == ["Cancel running job?"] and not job.done
    window.confirm = lambda title, text: True
    # listen for the end before letting the job go: a job that ends first would emit unheard
    with qtbot.waitSignal(job.signals.ended, timeout=10_000):
        release.set()
        assert window.close()
