"""The main window: viewer, inspector, timeline, transport, menus, shortcuts, drag-and-drop,
status bar with job progress, and the close checks (running job, unsaved changes)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from render_core.errors import InputError
from studio import actions
from studio.camera_inset import CameraInset
from studio.driving_inset import DrivingInset
from studio.inspector import Inspector
from studio.manipulation import Manipulator
from studio.model_library import ModelLibrary
from studio.open_dialog import choose_document
from studio.session import Session
from studio.status import JobStatusBar
from studio.timeline import TimelineWidget
from studio.timeline_rows import timecode
from studio.viewer import Viewer
from studio.viewpoint_drag import ViewpointDrag
from studio.waveforms import WaveformStore

APP_TITLE = "Render Studio"
MAX_RECENT = 8


class MainWindow(QMainWindow):
    def __init__(self, session: Session | None = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.session = session or Session(parent=self)
        self.state = self.session.state
        self.settings = settings or QSettings()
        self.viewer = Viewer(self.state)
        self.inspector = Inspector(self.state, self.session.runner)
        self.timeline = TimelineWidget(self.state)
        self.waveforms = WaveformStore(self.state, self.session.runner, self)
        self.timeline.waveforms = self.waveforms
        self.waveforms.changed.connect(self.timeline.update)
        self.timeline.frame_marks = self.session.frame_marks
        self.session.frame_marks.changed.connect(self.timeline.update)
        self.library = ModelLibrary(self.state)
        self.inset = DrivingInset(self.state, self.session.runner, self.viewer)
        self.camera_map = CameraInset(self.state, self.viewer)
        self.manipulator = Manipulator(self.state, self.inspector, self)
        self.orbit = ViewpointDrag(self.state, self)
        self.status = JobStatusBar(self.session.runner, self)
        self.setStatusBar(self.status)
        self.confirm = (
            lambda title, text: QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes
        )
        self.ask_save = self._ask_save_box
        self.choose_document = choose_document
        self._build_layout()
        actions.build_menus(self)
        self._connect()
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self._update_title()

    # -- layout --------------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.play_button = QPushButton("Play")
        self.play_button.clicked.connect(self.session.toggle_play)
        self.time_label = QLabel("-")
        self.after_box = QCheckBox("Show edit")
        self.after_box.setChecked(True)
        self.after_box.toggled.connect(self.viewer.set_show_edit)
        self.split_box = QCheckBox("Split view")
        self.split_box.toggled.connect(self.viewer.set_split)
        transport = QHBoxLayout()
        for w in (self.play_button, self.time_label):
            transport.addWidget(w)
        transport.addStretch(1)
        transport.addWidget(self.after_box)
        transport.addWidget(self.split_box)
        bottom = QWidget()
        v = QVBoxLayout(bottom)
        v.setContentsMargins(4, 0, 4, 4)
        v.addLayout(transport)
        v.addWidget(self.timeline, 1)
        self.timeline_scroll = QScrollBar(Qt.Orientation.Horizontal)
        self.timeline_scroll.setToolTip("Scroll the zoomed timeline (+ / - zoom, \\ fits the clip)")
        self.timeline_scroll.valueChanged.connect(self._scrolled)
        self.timeline.view_changed.connect(self._show_timeline_view)
        v.addWidget(self.timeline_scroll)
        self._show_timeline_view()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.viewer)
        split.addWidget(bottom)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        self.setCentralWidget(split)
        dock = QDockWidget("Inspector", self)
        dock.setObjectName("inspector")
        dock.setWidget(self.inspector)
        dock.setMinimumWidth(340)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        lib = QDockWidget("Model library", self)
        lib.setObjectName("model_library")
        lib.setWidget(self.library)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, lib)
        self.tabifyDockWidget(dock, lib)
        dock.raise_()

    def _connect(self) -> None:
        s, st = self.session, self.state
        s.preview_ready.connect(lambda r: self.viewer.set_images(r.frame, r.original, r.edited))
        s.error.connect(self.status.show_error)
        s.warning.connect(self.status.show_warning)
        s.message.connect(lambda m: self.status.showMessage(m, 8000))
        s.frame_marks.notice.connect(lambda m: self.status.showMessage(m, 20000))
        s.opened.connect(self._remember_recent)
        s.playing_changed.connect(lambda _p: self._update_transport())
        s.tracking_finished.connect(self.status.show_tracked)
        st.clip_changed.connect(lambda: self.status.show_tracked(None))
        st.frame_changed.connect(lambda _f: self._update_transport())
        st.dirty_changed.connect(lambda _d: self._update_title())
        st.clip_changed.connect(self._update_title)
        self.viewer.joint_dragged.connect(self.manipulator.drag_joint)
        self.viewer.gaze_dragged.connect(self.manipulator.drag_gaze)
        self.viewer.face_wheel.connect(self.manipulator.wheel_expression)
        self.viewer.orbit_dragged.connect(self.orbit.drag)
        self.viewer.orbit_ended.connect(self.orbit.end)
        self.viewer.dolly_wheel.connect(self.orbit.wheel)
        self.orbit.message.connect(lambda m: self.status.showMessage(m, 8000))
        self.manipulator.failed.connect(self.status.show_error)
        self.manipulator.message.connect(lambda m: self.status.showMessage(m, 8000))
        self.inspector.notice.connect(lambda m: self.status.showMessage(m, 10000))
        self.library.warning.connect(lambda m: self.status.showMessage(f"Warning: {m}", 15000))

    def _show_timeline_view(self) -> None:
        """The scroll bar follows the timeline's zoom and scroll (hidden when the clip fits)."""
        tl, bar = self.timeline, self.timeline_scroll
        visible = tl.visible_frames()
        bar.blockSignals(True)
        bar.setRange(0, max(0, int(round(max(1, self.state.frame_count) - visible))))
        bar.setPageStep(max(1, int(visible)))
        bar.setValue(int(round(tl.first)))
        bar.blockSignals(False)
        bar.setVisible(tl.zoom > 1.0)

    def _scrolled(self, value: int) -> None:
        self.timeline.scroll_to(float(value))

    def _update_title(self) -> None:
        name = Path(self.state.clip_path).name if self.state.clip_path else ""
        if self.state.project_path is not None:
            name = self.state.project_path.name
        mark = "*" if self.state.dirty else ""
        self.setWindowTitle(f"{mark}{name} - {APP_TITLE}" if name else APP_TITLE)

    def _update_transport(self) -> None:
        st = self.state
        self.play_button.setText("Pause" if self.session.playing else "Play")
        if st.is_open:
            self.time_label.setText(f"frame {st.frame} / {st.frame_count - 1}   {timecode(st.frame, st.fps)}")

    # -- file ----------------------------------------------------------------------------
    def open_path(self, path: str | Path):
        """Open a clip or project, after the unsaved-changes prompt; None if the user cancelled."""
        if not self.maybe_save("opening another file"):
            return None
        return self.session.open(path)

    def _ask_save_box(self, text: str) -> str:
        """Save / Discard / Cancel as 'save', 'discard' or 'cancel'."""
        B = QMessageBox.StandardButton
        answer = QMessageBox.warning(self, "Unsaved changes", text, B.Save | B.Discard | B.Cancel, B.Save)
        return {B.Save: "save", B.Discard: "discard"}.get(answer, "cancel")

    def maybe_save(self, why: str) -> bool:
        """Before the open document goes away: ask Save / Discard / Cancel when it has unsaved
        changes. True when it may go (saved, discarded or clean); False to stay."""
        if not (self.state.is_open and self.state.dirty):
            return True
        name = self.windowTitle().lstrip("*").split(" - ")[0] or "this project"
        answer = self.ask_save(f"Save the changes to {name} before {why}?")
        if answer == "save":
            return self.save()
        if answer == "discard":
            self.session.discard_autosave()
            return True
        return False

    def open_dialog(self) -> None:
        path = self.choose_document(self, self.last_folder())
        if path:
            self.open_path(path)

    def last_folder(self) -> str:
        """Where the Open and Save dialogs start: the folder of the last document, else home."""
        folder = str(self.settings.value("last_folder", "") or "")
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _remember_recent(self, path: str) -> None:
        p = str(self.state.project_path or path)
        self.settings.setValue("last_folder", str(Path(p).parent))
        recent = [p] + [r for r in self.recent_files() if r != p]
        self.settings.setValue("recent", recent[:MAX_RECENT])
        actions.fill_recent_menu(self)

    def save(self) -> bool:
        if not self.state.is_open:
            return False
        if self.state.project_path is None:
            return self.save_as()
        return self._saved_to(None) is not None

    def save_as(self) -> bool:
        """Save into a folder the user picks; an image set's document belongs beside its
        captures, so it is saved there (Save)."""
        if not self.state.is_open:
            return False
        if self.state.image_set is not None:
            return self.save()
        name = f"{Path(self.state.clip_path).stem}.rfproj"
        folder, _ = QFileDialog.getSaveFileName(self, "Save project as", str(Path(self.last_folder()) / name))
        if not folder:
            return False
        saved = self._saved_to(Path(folder))
        if saved is None:
            return False
        self._update_title()
        self._remember_recent(str(saved))
        return True

    def _saved_to(self, folder: Path | None) -> Path | None:
        """Save (to `folder`, else where the document lives); None, with the reason in the status
        bar, when it could not be written (the file on disk is untouched, the changes stay)."""
        try:
            return self.session.save(folder)
        except (InputError, OSError) as e:
            self.status.show_error(f"Not saved: {e}", repr(e))
            return None

    # -- drag and drop -------------------------------------------------------------------
    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        urls = [u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_path(urls[0])
            e.acceptProposedAction()

    # -- close ---------------------------------------------------------------------------
    def closeEvent(self, e: QCloseEvent) -> None:
        running = self.session.runner.running()
        if running and not self.confirm(
            "Cancel running job?", f"{running[0].name} is still running. Cancel it and quit?"
        ):
            e.ignore()
            return
        if not self.maybe_save("quitting"):
            e.ignore()
            return
        self.shutdown()
        e.accept()

    def shutdown(self) -> bool:
        """Cancel and wait for every job thread, then close the decoders."""
        ok = self.session.shutdown()
        self.inset.close_source()
        return ok
