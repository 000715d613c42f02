"""`python -m studio.screenshot OUT.png CLIP [FRAME]`: open the studio on a real display, load
CLIP, add a keyframed expression layer, turn overlays on, wait for tracks and the edited
preview, and save a PNG of the whole window as the screen shows it (docs, visual checks).
CLIP may be an image-set project: the camera is then orbited at FRAME as a viewer drag would,
with the camera map showing (the edit shows where the project has a novel-view model)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from render_core.edits.params import ExpressionParams, GazeParams


def _wait(app, cond, timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        app.processEvents()
        if cond():
            return True
        time.sleep(0.01)
    return False


def _edit(win, frame: int) -> None:
    """An expression layer with two keyframes and a gaze layer, as a user would set them."""
    from studio import commands as C

    st = win.state
    layer = win.inspector.add_layer("expression")
    last = st.frame_count - 1
    st.undo_stack.push(C.SetKeyframe(st, layer.id, max(0, frame - 20), ExpressionParams()))
    st.undo_stack.push(C.SetKeyframe(st, layer.id, frame, ExpressionParams(jaw_open=0.7, smile=0.6)))
    st.undo_stack.push(C.SetKeyframe(st, layer.id, min(last, frame + 30), ExpressionParams(smile=0.3)))
    gaze = win.inspector.add_layer("gaze")
    st.undo_stack.push(C.SetKeyframe(st, gaze.id, min(last, frame + 10), GazeParams(horizontal=12.0)))
    st.select_layer(layer.id)
    st.set_frame(frame)


def _orbit(win, frame: int) -> None:
    """A drag of a fifth of the viewer to the left and a tenth down at `frame`: the camera
    swings right and up (a viewpoint key), as a user's drag makes it."""
    win.state.set_frame(frame)
    win.orbit.drag(-0.2, 0.1, False)
    win.orbit.end()


def _edited_shown(win, frame: int) -> bool:
    """The frame is shown, edited where the renderer draws edits (an image set without a
    novel-view model shows its photos unedited)."""
    draws_edits = win.state.image_set is None or win.state.renderer != "warp"
    shown = win.viewer.shown_frame == frame
    return shown and (win.viewer.edited is not None or not draws_edits)


def capture(out: Path, clip: Path, frame: int = 40) -> Path:
    from PySide6.QtCore import QSettings

    from studio.app import make_app
    from studio.main_window import MainWindow

    app = make_app([])
    scratch = tempfile.mkdtemp(prefix="studio-screenshot-")  # the overlays it turns on are not remembered
    win = MainWindow(settings=QSettings(str(Path(scratch) / "studio.ini"), QSettings.Format.IniFormat))
    win.resize(1440, 900)
    win.show()
    win.open_path(clip)
    if not _wait(app, lambda: win.state.is_open and win.viewer.original is not None, 60):
        raise RuntimeError("the document did not open within 60 s")
    if win.state.image_set is None and not _wait(app, lambda: win.state.tracks is not None, 120):
        raise RuntimeError("tracks did not arrive within 120 s")
    frame = min(frame, win.state.frame_count - 1)
    if win.state.image_set is not None:
        _orbit(win, frame)
    else:
        _edit(win, frame)
        win.acts["face_box"].setChecked(True)
    win.split_box.setChecked(True)
    ok = _wait(app, lambda: _edited_shown(win, frame), 60)
    _wait(app, lambda: False, 0.5)  # let the window finish painting
    screen = win.screen()
    pixmap = screen.grabWindow(win.winId()) if screen is not None else win.grab()
    if pixmap.isNull():
        pixmap = win.grab()
    out.parent.mkdir(parents=True, exist_ok=True)
    pixmap.save(str(out))
    win.confirm = lambda title, text: True  # no modal questions on the way out
    win.ask_save = lambda text: "discard"
    win.close()
    if not ok:
        raise RuntimeError("the edited preview did not arrive within 60 s")
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    capture(Path(args[0]), Path(args[1]), int(args[2]) if len(args) > 2 else 40)
