"""Status bar: messages, the running job's progress with a cancel button, and job errors as a
one-line message with a details expander (never a modal that freezes playback)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QPushButton, QStatusBar, QWidget

from studio.jobs import Job, JobRunner


class JobStatusBar(QStatusBar):
    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.tracks_label = QLabel()  # what tracking found, once it is done
        self.tracks_label.setToolTip("Tracking of the open clip (Tools > Re-run tracking to redo it)")
        self.addPermanentWidget(self.tracks_label)
        self.job_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_current)
        for w in (self.job_label, self.progress, self.cancel_button):
            self.addPermanentWidget(w)
        self.last_error: tuple[str, str] | None = None
        self.last_warning: str | None = None
        self._box: QMessageBox | None = None
        self._current: Job | None = None
        runner.job_started.connect(self._job_started)
        runner.job_ended.connect(self._job_ended)
        self._show_job(None)

    def _job_started(self, job: Job) -> None:
        if job in self.runner.running():
            job.signals.progress.connect(lambda f, msg, j=job: self._progress(j, f, msg))
            self._show_job(job)

    def _job_ended(self, job: Job) -> None:
        if job is self._current:
            jobs = self.runner.running()
            self._show_job(jobs[-1] if jobs else None)

    def _show_job(self, job: Job | None) -> None:
        self._current = job
        for w in (self.job_label, self.progress, self.cancel_button):
            w.setVisible(job is not None)
        if job is not None:
            self.job_label.setText(job.name)
            self.progress.setValue(0)
            self.progress.setFormat(f"{job.name} %p%")

    def _progress(self, job: Job, fraction: float, message: str) -> None:
        if job is self._current:
            self.progress.setValue(int(1000 * fraction))
            self.job_label.setText(message or job.name)

    def cancel_current(self) -> None:
        if self._current is not None:
            self._current.cancel()
            self.showMessage(f"Cancelling {self._current.name}...", 3000)

    def show_tracked(self, result) -> None:
        """'Tracking done' beside the job area, where it stays; None clears it (a new clip is
        being tracked)."""
        if result is None:
            self.tracks_label.setText("")
            return
        s = result.summary
        text = f"Tracking done: face {s['face_valid']}/{s['frames']}, body {s['body_valid']}/{s['frames']}"
        self.tracks_label.setText(text + (" (cached)" if result.cached else ""))

    def show_warning(self, line: str) -> None:
        """A one-line warning in the bar (it stays until the next message) and a non-modal box."""
        self.last_warning = line
        self.showMessage(f"Warning: {line}")
        self._message_box("Warning", line, "")

    def _message_box(self, title: str, line: str, details: str) -> None:
        if self._box is None:
            self._box = QMessageBox(
                QMessageBox.Icon.Warning, title, "", QMessageBox.StandardButton.Close, self
            )
            self._box.setModal(False)
        self._box.setWindowTitle(title)
        self._box.setText(line)
        self._box.setDetailedText(details)
        self._box.show()

    def show_error(self, line: str, details: str) -> None:
        """A one-line message in the bar, and a non-modal box whose details expander has the rest."""
        self.last_error = (line, details)
        self.showMessage(f"Error: {line}", 15000)
        self._message_box("Error", line, details)
