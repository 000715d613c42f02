"""Menus and keyboard shortcuts of the main window (what a video editor user expects)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from studio import commands as C

SHORTCUTS = [
    ("Space", "Play / pause"),
    ("Left / Right", "Previous / next frame"),
    ("Home / End", "First / last frame"),
    ("I / O", "Mark in / out at the playhead (export and loop range)"),
    ("Shift+I / Shift+O", "Go to the in / out mark"),
    ("Ctrl+Shift+X", "Clear in/out"),
    ("Ctrl+L", "Loop playback between in and out"),
    ("K", "Add keyframe at the playhead (selected layer)"),
    ("Delete", "Delete the selected keyframe"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo"),
    ("Ctrl+O", "Open clip or project"),
    ("Ctrl+S / Ctrl+Shift+S", "Save / save as"),
    ("Ctrl+E", "Export"),
    ("B", "Before / after"),
    ("F", "Fit the frame to the viewer"),
    ("Ctrl+wheel", "Zoom the viewer; middle-drag or Alt+drag pans"),
    ("Wheel over the face", "Adjust the selected expression control"),
    ("Drag a joint / an iris", "Body pose / gaze keyframe at the playhead"),
]


def _action(
    win, menu: QMenu, text: str, slot: Callable, keys=None, checkable=False, checked=False
) -> QAction:
    a = QAction(text, win)
    if keys is not None:
        a.setShortcuts(keys if isinstance(keys, list) else [QKeySequence(keys)])
    a.setCheckable(checkable)
    if checkable:
        a.setChecked(checked)
        a.toggled.connect(slot)
    else:
        a.triggered.connect(lambda _=False: slot())
    menu.addAction(a)
    win.addAction(a)  # shortcuts work wherever the focus is in the window
    return a


def build_menus(win) -> None:
    """Create File / Edit / View / Playback / Tools / Help; store actions on `win.acts`."""
    from studio import dialogs

    s, st, mb = win.session, win.state, win.menuBar()
    acts = win.acts = {}
    f = mb.addMenu("&File")
    acts["open"] = _action(win, f, "&Open clip or project...", win.open_dialog, QKeySequence.StandardKey.Open)
    win.recent_menu = f.addMenu("Open &recent")
    fill_recent_menu(win)
    f.addSeparator()
    acts["save"] = _action(win, f, "&Save", win.save, QKeySequence("Ctrl+S"))
    acts["save_as"] = _action(win, f, "Save &as...", win.save_as, QKeySequence("Ctrl+Shift+S"))
    acts["export"] = _action(win, f, "&Export...", lambda: dialogs.show_export(win), QKeySequence("Ctrl+E"))
    f.addSeparator()
    _action(win, f, "&Quit", win.close, QKeySequence.StandardKey.Quit)

    e = mb.addMenu("&Edit")
    undo = st.undo_stack.createUndoAction(win, "&Undo")
    undo.setShortcut(QKeySequence("Ctrl+Z"))
    redo = st.undo_stack.createRedoAction(win, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for a in (undo, redo):
        e.addAction(a)
        win.addAction(a)
    acts["undo"], acts["redo"] = undo, redo
    e.addSeparator()
    acts["key"] = _action(win, e, "Add &keyframe", win.inspector.add_keyframe_here, QKeySequence("K"))
    acts["del_key"] = _action(
        win, e, "&Delete keyframe", win.timeline.delete_selected_key, QKeySequence.StandardKey.Delete
    )
    e.addSeparator()
    _action(win, e, "&Preferences...", lambda: dialogs.show_preferences(win))

    v = mb.addMenu("&View")
    for name, label, on in (
        ("face_mesh", "Face mesh", True),
        ("iris", "Iris", True),
        ("skeleton", "Skeleton", True),
        ("person_mask", "Person mask", False),
        ("face_box", "Face crop box", False),
    ):
        acts[name] = _action(
            win, v, label, lambda c, n=name: win.viewer.set_overlay(n, c), checkable=True, checked=on
        )
    v.addSeparator()
    acts["before_after"] = _action(
        win,
        v,
        "Show &edit (before/after)",
        win.after_box.setChecked,
        QKeySequence("B"),
        checkable=True,
        checked=True,
    )
    win.after_box.toggled.connect(acts["before_after"].setChecked)
    acts["split"] = _action(win, v, "&Split view", win.split_box.setChecked, checkable=True)
    win.split_box.toggled.connect(acts["split"].setChecked)
    _action(win, v, "&Fit", win.viewer.fit, QKeySequence("F"))

    p = mb.addMenu("&Playback")
    acts["play"] = _action(win, p, "&Play / pause", s.toggle_play, QKeySequence("Space"))
    acts["prev"] = _action(win, p, "Previous frame", lambda: s.step(-1), QKeySequence("Left"))
    acts["next"] = _action(win, p, "Next frame", lambda: s.step(+1), QKeySequence("Right"))
    acts["first"] = _action(win, p, "First frame", lambda: (s.stop(), st.set_frame(0)), QKeySequence("Home"))
    acts["last"] = _action(
        win, p, "Last frame", lambda: (s.stop(), st.set_frame(st.frame_count - 1)), QKeySequence("End")
    )
    p.addSeparator()
    for which, label, key in (
        ("in", "Mark &in", "I"),
        ("out", "Mark &out", "O"),
        ("clear", "Clear in/out", "Ctrl+Shift+X"),
    ):
        acts[f"mark_{which}"] = _action(
            win,
            p,
            label,
            lambda w=which: st.is_open and st.undo_stack.push(C.mark_command(st, w)),
            QKeySequence(key),
        )
    acts["go_in"] = _action(win, p, "Go to in", lambda: _go_to_mark(win, 0), QKeySequence("Shift+I"))
    acts["go_out"] = _action(win, p, "Go to out", lambda: _go_to_mark(win, 1), QKeySequence("Shift+O"))
    acts["loop"] = _action(win, p, "&Loop (in to out)", s.set_loop, QKeySequence("Ctrl+L"), checkable=True)

    t = mb.addMenu("&Tools")
    acts["train"] = _action(win, t, "&Train a personal model...", lambda: dialogs.show_train(win))
    _action(win, t, "Re-run &tracking", lambda: st.is_open and s.start_tracking())

    h = mb.addMenu("&Help")
    _action(win, h, "&Doctor report", lambda: dialogs.show_doctor(win))
    _action(win, h, "&Keyboard shortcuts", lambda: dialogs.show_shortcuts(win))


def fill_recent_menu(win) -> None:
    win.recent_menu.clear()
    for path in win.recent_files():
        win.recent_menu.addAction(path, lambda p=path: win.open_path(p))
    win.recent_menu.setEnabled(bool(win.recent_files()))


def _go_to_mark(win, which: int) -> None:
    """Move the playhead to the in (0) or out (1) mark, or to the clip's first/last frame."""
    st = win.state
    if not st.is_open:
        return
    win.session.stop()
    start, stop = st.timeline.marked_range(st.frame_count)
    st.set_frame(start if which == 0 else stop - 1)
