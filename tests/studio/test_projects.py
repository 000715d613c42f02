"""A project is one thing to the user: a saved `.rfproj` opens from File > Open (choosing or
stepping into the folder), Open Recent and drag-and-drop; reopening it neither offers a stale
autosave nor tracks the clip again; the Open dialog starts where the last document was."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog

from studio.open_dialog import FILTER, OpenDocumentDialog


def _save_as(win, monkeypatch, target: Path) -> Path:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert win.save_as()
    return win.state.project_path


def test_open_dialog_opens_a_project_folder_when_it_is_chosen(qtbot, tmp_path):
    project = tmp_path / "face.rfproj"
    project.mkdir()
    (project / "project.json").write_text("{}")
    dlg = OpenDocumentDialog(None, str(tmp_path))
    qtbot.addWidget(dlg)
    assert "*.rfproj" in FILTER and "*.mp4" in FILTER
    dlg.directoryEntered.emit(str(project))  # the user double-clicks the project folder
    assert dlg.chosen == str(project) and dlg.result() == QFileDialog.DialogCode.Accepted
    plain = OpenDocumentDialog(None, str(tmp_path))
    qtbot.addWidget(plain)
    plain.directoryEntered.emit(str(tmp_path))  # an ordinary folder is browsed, not opened
    assert plain.chosen is None


def test_saved_project_reopens_from_recent_without_recovery_or_retracking(
    opened, qtbot, tmp_path, monkeypatch
):
    st, session = opened.state, opened.session
    layer = opened.inspector.add_layer("expression")
    assert session.autosave_now() is not None  # the clip's autosave, before the first save
    project = _save_as(opened, monkeypatch, tmp_path / "face.rfproj")
    assert opened.recent_files()[0] == str(project)
    assert opened.recent_menu.actions()[0].text() == str(project)
    asked = []
    session.ask_recover = lambda p: asked.append(p) or True
    results = []
    session.tracking_finished.connect(results.append)
    opened.recent_menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: bool(results), timeout=30_000)
    assert asked == [] and results[0].cached  # no stale autosave, tracks from the project's cache
    assert st.project_path == project and [ly.id for ly in st.timeline.layers] == [layer.id]
    assert opened.windowTitle().startswith("face.rfproj")
    session.open(opened.state.clip_path)  # the clip alone: its old autosave went with the save
    qtbot.waitUntil(lambda: st.project_path is None, timeout=30_000)
    assert asked == []


def test_dropping_a_project_folder_opens_it(opened, qtbot, tmp_path, monkeypatch):
    project = _save_as(opened, monkeypatch, tmp_path / "dropped.rfproj")
    opened.inspector.add_layer("gaze")
    opened.ask_save = lambda text: "discard"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(project))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)  # fmt: skip
    with qtbot.waitSignal(opened.session.opened, timeout=30_000):
        opened.dropEvent(event)
    assert opened.state.project_path == project and opened.state.timeline.layers == ()


def test_open_dialog_starts_in_the_last_documents_folder(opened, clip_path, monkeypatch):
    started = []
    opened.choose_document = lambda parent, folder: started.append(folder)
    opened.open_dialog()
    assert started == [str(Path(clip_path).resolve().parent)]
