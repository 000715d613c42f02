"""The habits of Premiere / Resolve / OpenShot users: timeline zoom and scroll, J/K/L shuttle
with Add keyframe on Shift+K, previous / next keyframe, transport keys wherever the focus is,
view choices remembered, Play that reads Play after a pause, a note when tracking is done, and
a viewpoint layer that says why it changes nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QDockWidget

from render_core.edits.params import ExpressionParams
from studio import commands as C


def _wheel(widget, x: float, dy: int, mods=Qt.KeyboardModifier.NoModifier) -> None:
    pos = QPointF(x, widget.height() / 2)
    ev = QWheelEvent(pos, widget.mapToGlobal(pos), QPoint(), QPoint(0, dy), Qt.MouseButton.NoButton, mods,
                     Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    widget.wheelEvent(ev)


def test_timeline_zooms_about_the_mouse_scrolls_and_fits(opened, qtbot):
    tl, st, win = opened.timeline, opened.state, opened
    x = tl.frame_to_x(60)
    _wheel(tl, x, 240, Qt.KeyboardModifier.ControlModifier)  # Ctrl+wheel up: zoom in
    assert tl.zoom > 1.4 and tl.x_to_frame(x) == 60  # the frame under the mouse stays put
    assert win.timeline_scroll.isVisible() and win.timeline_scroll.maximum() > 0
    first = tl.first
    _wheel(tl, x, -120)  # the plain wheel scrolls
    assert tl.first > first and win.timeline_scroll.value() == round(tl.first)
    win.timeline_scroll.setValue(0)
    assert tl.first == 0.0
    tl.setFocus()
    qtbot.keyClick(tl, Qt.Key.Key_Plus)
    zoomed = tl.zoom
    qtbot.keyClick(tl, Qt.Key.Key_Minus)
    assert tl.zoom == pytest.approx(zoomed / 2)
    qtbot.keyClick(tl, Qt.Key.Key_Plus)
    qtbot.keyClick(tl, Qt.Key.Key_Plus)
    st.set_frame(st.frame_count - 1)  # the view follows the playhead
    first, last = tl.visible_range()
    assert first <= st.frame_count - 1 <= last
    qtbot.keyClick(tl, Qt.Key.Key_Backslash)
    assert tl.zoom == 1.0 and tl.first == 0.0 and not win.timeline_scroll.isVisible()
    assert tl.x_to_frame(tl.frame_to_x(st.frame_count - 1)) == st.frame_count - 1


def test_jkl_shuttle_and_shift_k_adds_a_keyframe(opened, qtbot):
    st, win, session = opened.state, opened, opened.session
    layer = win.inspector.add_layer("expression")
    win.viewer.setFocus()
    st.set_frame(40)
    qtbot.keyClick(win.viewer, Qt.Key.Key_J)  # backward
    assert session.playing and session.rate == -1.0
    qtbot.waitUntil(lambda: st.frame <= 36, timeout=5_000)
    qtbot.keyClick(win.viewer, Qt.Key.Key_J)
    assert session.rate == -2.0
    qtbot.keyClick(win.viewer, Qt.Key.Key_K)  # pause
    assert not session.playing and win.play_button.text() == "Play"
    assert st.timeline.layer(layer.id).keyframes == {}  # K no longer keys
    qtbot.keyClick(win.viewer, Qt.Key.Key_L)
    assert session.playing and session.rate == 1.0
    qtbot.keyClick(win.viewer, Qt.Key.Key_L)
    assert session.rate == 2.0
    qtbot.keyClick(win.viewer, Qt.Key.Key_K)
    paused = st.frame
    qtbot.keyClick(win.viewer, Qt.Key.Key_K, Qt.KeyboardModifier.ShiftModifier)
    assert list(st.timeline.layer(layer.id).keyframes) == [paused]


def test_play_button_reads_play_after_a_pause(opened, qtbot):
    win = opened
    win.play_button.click()
    assert win.play_button.text() == "Pause"
    win.play_button.click()
    assert win.play_button.text() == "Play" and not win.session.playing


def test_previous_and_next_keyframe(opened, qtbot):
    st, win = opened.state, opened
    layer = win.inspector.add_layer("expression")
    for f in (10, 30, 50):
        st.undo_stack.push(C.SetKeyframe(st, layer.id, f, ExpressionParams(smile=0.2)))
    st.set_frame(20)
    win.inspector.layers.setFocus()
    qtbot.keyClick(win.inspector.layers, Qt.Key.Key_BracketRight)
    assert st.frame == 30
    qtbot.keyClick(win.inspector.layers, Qt.Key.Key_BracketRight)
    qtbot.keyClick(win.inspector.layers, Qt.Key.Key_BracketRight)  # none after 50: stays
    assert st.frame == 50 and "No keyframe after" in win.status.currentMessage()
    qtbot.keyClick(win.inspector.layers, Qt.Key.Key_BracketLeft)
    assert st.frame == 30


@pytest.mark.parametrize("where", ["layers", "panel", "timeline", "library", "floating dock"])
def test_transport_keys_work_wherever_the_focus_is(opened, qtbot, where):
    st, win = opened.state, opened
    win.inspector.add_layer("gaze")
    target = {"layers": win.inspector.layers, "panel": win.inspector.panel, "timeline": win.timeline,
              "library": win.library.tree, "floating dock": win.inspector.layers}[where]  # fmt: skip
    if where == "floating dock":
        dock = win.findChild(QDockWidget, "inspector")
        dock.setFloating(True)
        dock.activateWindow()
    target.setFocus()
    checks = (
        (Qt.Key.Key_Right, lambda: st.frame == 1),
        (Qt.Key.Key_End, lambda: st.frame == st.frame_count - 1),
        (Qt.Key.Key_Home, lambda: st.frame == 0),
        (Qt.Key.Key_Space, lambda: win.session.playing),
    )
    for key, check in checks:
        qtbot.keyClick(target, key)
        assert check(), (where, key)
    win.session.stop()


def test_view_choices_are_remembered(window, settings):
    from studio.main_window import MainWindow

    window.acts["face_mesh"].setChecked(False)
    window.acts["person_mask"].setChecked(True)
    window.split_box.setChecked(True)
    window.acts["loop"].setChecked(True)
    again = MainWindow(settings=settings)  # the next run, same settings
    try:
        assert not again.acts["face_mesh"].isChecked() and not again.viewer.flags.face_mesh
        assert again.acts["person_mask"].isChecked() and again.viewer.flags.person_mask
        assert again.split_box.isChecked() and again.viewer.split
        assert again.acts["loop"].isChecked() and again.session.loop
    finally:
        assert again.shutdown()


def test_tracking_done_is_noted(opened):
    label = opened.status.tracks_label.text()
    assert label.startswith("Tracking done: face") and opened.status.tracks_label.isVisible()


def test_viewpoint_layer_says_it_needs_a_novel_view_model(opened):
    insp = opened.inspector
    notices = []
    insp.notice.connect(notices.append)
    insp.add_layer("viewpoint")
    assert notices and "novel-view model" in notices[0]
    assert insp.note_label.isVisibleTo(insp) and "novel-view model" in insp.note_label.text()
    assert "novel-view model" in opened.status.currentMessage()
    insp.add_layer("expression")
    assert not insp.note_label.isVisibleTo(insp)


def test_shortcuts_dialog_lists_the_new_keys(window):
    from studio import dialogs

    dialogs.show_shortcuts(window)
    from PySide6.QtWidgets import QTableWidget

    table = window.shortcuts_dialog.findChild(QTableWidget)
    keys = [table.item(i, 0).text() for i in range(table.rowCount())]
    for k in ("J / K / L", "Shift+K", "[ / ]", "+ / -", "\\"):
        assert k in keys
