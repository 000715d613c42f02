"""View > Camera path for an image set: the one-click paths (the current one checked), importing a
nerfstudio camera_path file, and exporting the path as one, the studio's side of
`main.py render FOLDER --camera-path ...` and `-o PATH.json`. Disabled while no image set is
open (a clip's frames are its own)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFileDialog, QMenu

from render_core.errors import InputError
from studio.path_choice import ONE_CLICK_LABELS, ChoosePath, keys_beyond, one_click, place_path_file

JSON_FILTER = "nerfstudio camera path (*.json)"
EXPORT_TIP = (
    "Writes the cameras the export draws, one per frame, viewpoint keys applied, as "
    "`main.py render FOLDER -o PATH.json` does"
)


def build(win, parent: QMenu) -> QMenu:
    """Add the Camera path submenu to `parent`; its actions go into `win.acts` as path_<name>,
    path_file (the imported file in use), path_import and path_export."""
    menu = parent.addMenu("Camera &path (image sets)")
    group = QActionGroup(win)
    group.setExclusive(True)
    for name, label in ONE_CLICK_LABELS.items():
        a = QAction(label, win, checkable=True)
        a.triggered.connect(lambda _=False, n=name: choose(win, n))
        group.addAction(a)
        menu.addAction(a)
        win.acts[f"path_{name}"] = a
    file_act = QAction("", win, checkable=True)  # names the imported file while it is the path
    group.addAction(file_act)
    menu.addAction(file_act)
    win.acts["path_file"] = file_act
    menu.addSeparator()
    imp = menu.addAction("&Import nerfstudio camera path...", lambda: import_file(win))
    imp.setToolTip("Use a camera_path .json as the path (copied into the project folder when outside it)")
    exp = menu.addAction("E&xport camera path (nerfstudio)...", lambda: export_file(win))
    exp.setToolTip(EXPORT_TIP)
    menu.setToolTipsVisible(True)
    win.acts["path_import"], win.acts["path_export"] = imp, exp
    win.path_menu = menu
    win.state.clip_changed.connect(lambda: sync(win))
    sync(win)
    return menu


def sync(win) -> None:
    """Enable the submenu for an image set only, and check the path its document follows."""
    image_set = win.state.image_set
    win.path_menu.setEnabled(image_set is not None)
    for key in (*(f"path_{n}" for n in ONE_CLICK_LABELS), "path_file", "path_import", "path_export"):
        win.acts[key].setEnabled(image_set is not None)
    settings = image_set.settings if image_set is not None else None
    file_act = win.acts["path_file"]
    file_act.setVisible(settings is not None and settings.is_file)
    if settings is None:
        return
    if settings.is_file:
        file_act.setText(f"File: {settings.path}")
        file_act.setChecked(True)
    else:
        win.acts[f"path_{settings.path}"].setChecked(True)


def choose(win, name: str) -> bool:
    """Switch to the one-click path `name` (undoable); False when it is the path already."""
    st = win.state
    if st.image_set is None or st.image_set.settings.path == name:
        sync(win)
        return False
    return _push(win, one_click(st, name), ONE_CLICK_LABELS[name])


def _push(win, settings, label: str) -> bool:
    """Push the path change; a path file that cannot be read changes nothing and says why."""
    st = win.state
    win.session.stop()
    try:
        command = ChoosePath(st, settings, label)
    except InputError as e:
        win.status.show_error(str(e), repr(e))
        sync(win)
        return False
    st.undo_stack.push(command)
    n = st.frame_count
    outside = keys_beyond(st.timeline, n)
    note = f"Camera path: {label}, {n} frames"
    if outside:
        note += f"; {outside} keyframe{'s' if outside != 1 else ''} past frame {n - 1} (kept, not shown)"
    win.status.showMessage(note, 15000)
    return True


def import_file(win, source: str | None = None) -> bool:
    """Use a nerfstudio camera_path file (asked for when not given) as the path; a file that
    does not read as one is refused with one line naming it, and nothing changes."""
    from render_core.render.nerfstudio_path import read_camera_path

    st = win.state
    if st.image_set is None:
        return False
    if source is None:
        source, _ = QFileDialog.getOpenFileName(
            win, "Import nerfstudio camera path", str(st.image_set.folder), JSON_FILTER
        )
        if not source:
            return False
    src = Path(source)
    try:
        read_camera_path(src)  # refused before anything is copied
        rel = place_path_file(src, st.image_set.folder)
    except (InputError, OSError) as e:
        line = str(e) if isinstance(e, InputError) else f"{src}: {e.strerror or e}"
        win.status.show_error(line, repr(e))
        return False
    return _push(win, replace(st.image_set.settings, path=rel), Path(rel).name)


def default_export(image_set) -> Path:
    return image_set.folder / f"{image_set.folder.stem}-{image_set.path}.json"


def export_file(win, output: str | None = None) -> Path | None:
    """Write the open document's path (asked where when not given) as a nerfstudio
    camera_path, by the core function `render FOLDER -o PATH.json` runs."""
    from render_core.render.camera_path import document_config, export_camera_path

    st = win.state
    if st.image_set is None:
        return None
    if output is None:
        output, _ = QFileDialog.getSaveFileName(
            win, "Export camera path", str(default_export(st.image_set)), JSON_FILTER
        )
        if not output:
            return None
    out = Path(output) if Path(output).suffix.lower() == ".json" else Path(output).with_suffix(".json")
    try:
        doc = st.document()
        summary = export_camera_path(st.image_set.folder, document_config(doc, str(out)), doc.timeline)
    except (InputError, OSError) as e:
        win.status.show_error(f"Camera path not exported: {e}", repr(e))
        return None
    warn = f" ({'; '.join(summary['warnings'])})" if summary.get("warnings") else ""
    win.status.showMessage(f"Wrote {out} ({summary['frames']} cameras){warn}", 15000)
    return out
