"""Menus and keyboard shortcuts of the main window (what a video editor user expects: Premiere /
Resolve / OpenShot habits). Every shortcut is a window action, so it works wherever the focus
is in the window (layer list, timeline, viewer, a floating dock), except in a text field that
uses the key itself. View choices (overlays, split view, loop) are remembered across runs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from studio import commands as C

SHORTCUTS = [
    ("Space", "Play / pause"),
    ("J / K / L", "Shuttle: play backward / pause / play forward (press J or L again: 2x, 4x, 8x)"),
    ("Left / Right", "Previous / next frame"),
    ("[ / ]", "Previous / next keyframe (of the selected layer, else of any layer)"),
    ("Home / End", "First / last frame"),
    ("I / O", "Mark in / out at the playhead (export and loop range)"),
    ("Shift+I / Shift+O", "Go to the in / out mark"),
    ("Ctrl+Shift+X", "Clear in/out"),
    ("Ctrl+L", "Loop playback between in and out"),
    ("Shift+K", "Add keyframe at the playhead (selected layer); K is the shuttle's pause"),
    ("Delete", "Delete the selected keyframe"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo"),
    ("Ctrl+O", "Open clip or project"),
    ("Ctrl+S / Ctrl+Shift+S", "Save / save as"),
    ("Ctrl+E", "Export"),
    ("B", "Before / after"),
    ("F", "Fit the frame to the viewer"),
    (
        "Ctrl+wheel",
        "Zoom the viewer, or the timeline under the mouse; middle-drag or Alt+drag pans the viewer",
    ),
    ("+ / -", "Zoom the timeline in / out (about the playhead)"),
    ("\\", "Zoom the timeline to fit the whole clip"),
    ("Wheel over the timeline", "Scroll the zoomed timeline (or drag its scroll bar)"),
    ("Wheel over the face", "Adjust the selected expression control"),
    ("Drag a joint / an iris", "Body pose / gaze keyframe at the playhead"),
    (
        "Drag in the viewer (image set, or a viewpoint layer selected)",
        "Orbit the camera: a viewpoint keyframe at the playhead; Shift+drag or the wheel dollies",
    ),
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
    from studio import capture_dialog, dialogs, path_menu

    s, st, mb = win.session, win.state, win.menuBar()
    acts = win.acts = {}
    f = mb.addMenu("&File")
    acts["open"] = _action(win, f, "&Open clip or project...", win.open_dialog, QKeySequence.StandardKey.Open)
    win.recent_menu = f.addMenu("Open &recent")
    fill_recent_menu(win)
    acts["capture"] = _action(win, f, "New &capture from video...", lambda: capture_dialog.show_capture(win))
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
    acts["key"] = _action(win, e, "Add &keyframe", win.inspector.add_keyframe_here, QKeySequence("Shift+K"))
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
        on = remembered(win, name, on)
        win.viewer.set_overlay(name, on)
        show = lambda c, n=name: (win.viewer.set_overlay(n, c), remember(win, n, c))  # noqa: E731
        acts[name] = _action(win, v, label, show, checkable=True, checked=on)
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
    win.split_box.toggled.connect(lambda c: remember(win, "split", c))
    win.split_box.setChecked(remembered(win, "split", False))
    _action(win, v, "&Fit", win.viewer.fit, QKeySequence("F"))
    on = remembered(win, "camera_map", True)
    win.camera_map.set_wanted(on)
    show_map = lambda c: (win.camera_map.set_wanted(c), remember(win, "camera_map", c))  # noqa: E731
    acts["camera_map"] = _action(win, v, "&Camera map (image sets)", show_map, checkable=True, checked=on)
    path_menu.build(win, v)
    v.addSeparator()
    tl = win.timeline
    acts["zoom_in"] = _action(
        win, v, "Timeline zoom &in", lambda: tl.zoom_by(2.0), [QKeySequence("+"), QKeySequence("=")]
    )
    acts["zoom_out"] = _action(win, v, "Timeline zoom &out", lambda: tl.zoom_by(0.5), QKeySequence("-"))
    acts["zoom_fit"] = _action(win, v, "Timeline zoom to fi&t", tl.zoom_to_fit, QKeySequence("\\"))

    p = mb.addMenu("&Playback")
    acts["play"] = _action(win, p, "&Play / pause", s.toggle_play, QKeySequence("Space"))
    acts["back"] = _action(win, p, "Play &backward (again: faster)", lambda: s.shuttle(-1), QKeySequence("J"))
    acts["pause"] = _action(win, p, "Pa&use", s.stop, QKeySequence("K"))
    acts["forward"] = _action(
        win, p, "Play &forward (again: faster)", lambda: s.shuttle(+1), QKeySequence("L")
    )
    acts["prev"] = _action(win, p, "Previous frame", lambda: s.step(-1), QKeySequence("Left"))
    acts["next"] = _action(win, p, "Next frame", lambda: s.step(+1), QKeySequence("Right"))
    acts["prev_key"] = _action(win, p, "Previous keyframe", lambda: _jump_to_key(win, -1), QKeySequence("["))
    acts["next_key"] = _action(win, p, "Next keyframe", lambda: _jump_to_key(win, +1), QKeySequence("]"))
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
    loop = remembered(win, "loop", False)
    s.set_loop(loop)
    set_loop = lambda c: (s.set_loop(c), remember(win, "loop", c))  # noqa: E731
    acts["loop"] = _action(
        win, p, "&Loop (in to out)", set_loop, QKeySequence("Ctrl+L"), checkable=True, checked=loop
    )

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


def remembered(win, name: str, default: bool) -> bool:
    """A view choice as the user left it last time (QSettings `view/<name>`)."""
    return str(win.settings.value(f"view/{name}", default)).lower() in ("true", "1")


def remember(win, name: str, on: bool) -> None:
    win.settings.setValue(f"view/{name}", bool(on))


def _jump_to_key(win, direction: int) -> None:
    """Move the playhead to the previous (-1) / next (+1) keyframe of the selected layer, or
    of any layer when none is selected."""
    st = win.state
    if not st.is_open:
        return
    layers = [st.selected_layer] if st.selected_layer is not None else list(st.timeline.layers)
    frames = sorted({f for layer in layers for f in layer.keyframes})
    ahead = [f for f in frames if (f - st.frame) * direction > 0]
    if not ahead:
        win.status.showMessage(f"No keyframe {'after' if direction > 0 else 'before'} frame {st.frame}", 3000)
        return
    win.session.stop()
    st.set_frame(ahead[0] if direction > 0 else ahead[-1])


def _go_to_mark(win, which: int) -> None:
    """Move the playhead to the in (0) or out (1) mark, or to the clip's first/last frame."""
    st = win.state
    if not st.is_open:
        return
    win.session.stop()
    start, stop = st.timeline.marked_range(st.frame_count)
    st.set_frame(start if which == 0 else stop - 1)
