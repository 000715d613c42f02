"""Small dialogs: preferences (QSettings), doctor report, keyboard shortcuts; and the entry
points of the export and train dialogs (their own modules)."""

from __future__ import annotations

import json
import os
from argparse import Namespace

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from studio.jobs import Kind

DEVICES = ("auto", "cpu", "cuda")


class TextDialog(QDialog):
    def __init__(self, title: str, text: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(box)
        self.resize(640, 480)


def show_doctor(win) -> None:
    """Run `main.py doctor` (the same function) on the I/O pool; show the report when done."""
    from render_core.cli import cmd_doctor

    dlg = TextDialog("Doctor report", "Running checks...", win)
    job = win.session.runner.submit(
        lambda ctx: cmd_doctor.run(Namespace(skip_models=False), ctx), "doctor", Kind.IO
    )
    job.signals.finished.connect(lambda report: dlg.text.setPlainText(json.dumps(report, indent=2)))
    job.signals.failed.connect(lambda line, details: dlg.text.setPlainText(f"{line}\n\n{details}"))
    dlg.show()
    win.doctor_dialog = dlg


def show_shortcuts(win) -> None:
    from studio.actions import SHORTCUTS

    dlg = QDialog(win)
    dlg.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(len(SHORTCUTS), 2, dlg)
    table.setHorizontalHeaderLabels(["Keys", "Action"])
    for i, (keys, what) in enumerate(SHORTCUTS):
        table.setItem(i, 0, QTableWidgetItem(keys))
        table.setItem(i, 1, QTableWidgetItem(what))
    table.resizeColumnsToContents()
    QVBoxLayout(dlg).addWidget(table)
    dlg.resize(560, 420)
    dlg.show()
    win.shortcuts_dialog = dlg


DEFAULT_PRESET = "cpu-preview"


def all_preset_names() -> list[str]:
    """Every family's preset names, in first-seen order (what the training dialog offers)."""
    from render_core.families.registry import family_names, preset_names

    return list(dict.fromkeys(p for f in family_names() for p in preset_names(f)))


class PreferencesDialog(QDialog):
    """device, preview resolution, cache folder, default training preset (stored in QSettings)."""

    def __init__(self, settings, parent=None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Preferences")
        self.device = QComboBox()
        self.device.addItems(DEVICES)
        self.device.setCurrentText(str(settings.value("device", "auto")))
        self.preview_height = QSpinBox()
        self.preview_height.setRange(120, 2160)
        self.preview_height.setSuffix(" px")
        self.preview_height.setValue(int(settings.value("preview_height", 480)))
        self.cache_dir = QLineEdit(str(settings.value("cache_dir", "")))
        self.cache_dir.setPlaceholderText("default: the user cache folder")
        self.preset = QComboBox()
        self.preset.addItems(all_preset_names())
        stored = str(settings.value("default_preset", DEFAULT_PRESET))
        self.preset.setCurrentText(stored if stored in all_preset_names() else DEFAULT_PRESET)
        form = QFormLayout(self)
        form.addRow("Device", self.device)
        form.addRow("Preview height", self.preview_height)
        form.addRow("Cache folder", self.cache_dir)
        form.addRow("Default training preset", self.preset)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def accept(self) -> None:
        s = self.settings
        s.setValue("device", self.device.currentText())
        s.setValue("preview_height", self.preview_height.value())
        s.setValue("cache_dir", self.cache_dir.text().strip())
        s.setValue("default_preset", self.preset.currentText())
        super().accept()


def apply_preferences(win) -> None:
    """Push stored preferences into the running session (the cache folder through the
    `RENDER_STUDIO_CACHE` variable that `render_core.paths` reads)."""
    cache_dir = str(win.settings.value("cache_dir", "") or "").strip()
    if cache_dir:
        os.environ["RENDER_STUDIO_CACHE"] = cache_dir
    win.session.preview_height = int(win.settings.value("preview_height", 480))
    win.session.device = str(win.settings.value("device", "auto"))
    if hasattr(win.session.preview.render, "device"):
        win.session.preview.render.device = win.session.device
    win.session.request_preview()


def show_preferences(win) -> None:
    dlg = PreferencesDialog(win.settings, win)
    dlg.accepted.connect(lambda: apply_preferences(win))
    dlg.show()
    win.preferences_dialog = dlg


def show_export(win) -> None:
    from studio.export_dialog import ExportDialog

    if not win.state.is_open:
        win.status.showMessage("Open a clip first", 4000)
        return
    if win.state.image_set is not None:
        from studio.path_export import show_path_export

        show_path_export(win)
        return
    win.export_dialog = ExportDialog(win.session, win, win.settings)
    win.export_dialog.show()


def show_train(win) -> None:
    from studio.train_dialog import TrainDialog

    win.train_dialog = TrainDialog(win.session, win.settings, win)
    win.train_dialog.ended.connect(win.library.refresh)  # finished, paused or cancelled
    win.train_dialog.show()
