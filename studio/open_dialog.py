"""File > Open: one dialog for clips and projects. A project is a folder (`X.rfproj`) on disk
but one thing to the user: choosing it, or stepping into it, opens it. An image set's
`capture.json` opens the image-set project it belongs to."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from studio.document import VIDEO_SUFFIXES, is_project_path

FILTER = "Clips and projects (*.rfproj {}  project.json capture.json)".format(
    " ".join(f"*{s}" for s in VIDEO_SUFFIXES)
)


class OpenDocumentDialog(QFileDialog):
    """Existing-file dialog (Qt's own, so folders can be chosen) that accepts a project folder
    as soon as it is chosen; `chosen` is the clip or project path after `exec`."""

    def __init__(self, parent: QWidget | None, start_dir: str) -> None:
        super().__init__(parent, "Open clip or project", start_dir, FILTER)
        self.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        self.setFileMode(QFileDialog.FileMode.ExistingFile)
        self.chosen: str | None = None
        self.directoryEntered.connect(self._entered)

    def _entered(self, folder: str) -> None:
        if Path(folder).suffix == ".rfproj" and is_project_path(folder):
            self.chosen = folder
            self.done(QFileDialog.DialogCode.Accepted)

    def accept(self) -> None:
        files = self.selectedFiles()
        if files and is_project_path(files[0]) and Path(files[0]).is_dir():
            self._entered(files[0])
            return
        self.chosen = files[0] if files else None
        super().accept()


def choose_document(parent: QWidget | None, start_dir: str) -> str | None:
    """The clip or project the user picked, or None."""
    dlg = OpenDocumentDialog(parent, start_dir)
    return dlg.chosen if dlg.exec() and dlg.chosen else None
