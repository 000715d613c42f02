"""File > New capture from video: choose a walk-around video and a project folder, run the same
function as `main.py capture VIDEO --project P` on the heavy pool (progress and cancel in the
status bar), then open the image-set project it made."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from studio.document import VIDEO_SUFFIXES
from studio.jobs import Job, Kind

VIDEO_FILTER = "Videos ({})".format(" ".join(f"*{s}" for s in VIDEO_SUFFIXES))


def default_project(video: str | Path) -> Path:
    """`walk.rfproj` beside `walk.mp4`: where `main.py capture walk.mp4` puts it."""
    p = Path(video)
    return p.with_name(p.stem + ".rfproj")


def capture_args(video: str | Path, project: str | Path) -> Namespace:
    """The arguments `main.py capture VIDEO --project PROJECT` parses to."""
    return Namespace(source=str(video), project=str(project), name=None)


class CaptureDialog(QDialog):
    """A video and the project folder its capture goes into (defaults beside the video)."""

    def __init__(self, parent: QWidget | None = None, start_dir: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("New capture from video")
        self.start_dir = start_dir
        self.video, self.project = QLineEdit(), QLineEdit()
        self.video.setPlaceholderText("a walk-around video of the subject")
        self.video.textChanged.connect(self._video_changed)
        self._project_edited = False
        self.project.textEdited.connect(lambda _t: setattr(self, "_project_edited", True))
        form = QFormLayout(self)
        form.addRow("Video", self._with_button(self.video, self._browse_video))
        form.addRow("Project folder", self._with_button(self.project, self._browse_project))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self._video_changed("")
        self.resize(560, 0)

    def _with_button(self, edit: QLineEdit, browse) -> QWidget:
        row = QWidget()
        lay = QHBoxLayout(row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(edit)
        button = QPushButton("Browse...")
        button.clicked.connect(browse)
        lay.addWidget(button)
        return row

    def _video_changed(self, text: str) -> None:
        if text.strip() and not self._project_edited:
            self.project.setText(str(default_project(text.strip())))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()))

    def _browse_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Walk-around video", self.start_dir, VIDEO_FILTER)
        if path:
            self.video.setText(path)

    def _browse_project(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Project folder", self.start_dir)
        if path:
            self._project_edited = True
            self.project.setText(path)

    def args(self) -> Namespace:
        project = self.project.text().strip() or default_project(self.video.text().strip())
        return capture_args(self.video.text().strip(), project)


def start_capture(win, args: Namespace) -> Job:
    """Run the capture job; when it succeeds, open the project (an image set) it wrote."""
    from render_core.cli import cmd_capture

    session = win.session
    job = session.runner.submit(
        lambda ctx: cmd_capture.run(args, ctx), f"capture {Path(args.source).name}", Kind.HEAVY
    )

    def captured(summary: dict) -> None:
        share = f", {summary['registered']:.0%} of the frames got a camera" if "registered" in summary else ""
        for line in summary.get("warnings", []):
            session.warning.emit(line)
        done = f"Captured {summary['views']} views{share}"
        if win.open_path(args.project) is None:  # the user kept the open document
            done += f" into {args.project}: File > Open it"
        session.message.emit(done)

    job.signals.finished.connect(captured)
    job.signals.failed.connect(session.error)
    return job


def show_capture(win) -> Job | None:
    """Ask for the video and the project folder, then start the capture."""
    dlg = CaptureDialog(win, win.last_folder())
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return None
    return start_capture(win, dlg.args())
