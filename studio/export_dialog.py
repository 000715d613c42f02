"""Export: path, format, frame range, resolution, quality, audio -> the pipeline's `render_clip`
on the heavy pool (the same function as `main.py render`), with progress and cancel; plus a
batch queue of other saved projects exported one after another with the same settings.

Formats (`media.formats`): H.264 MP4, ProRes 422 HQ MOV, or a PNG sequence (no audio). The
output keeps the target's frame rate; a reenact / transfer layer reads its driving clip by time
(`edits.settings`), so lips and a driving audio (`export_choices`) stay together."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from render_core.media.formats import FORMATS, OutputFormat, with_format_suffix
from studio.export_choices import NO_AUDIO, ORIGINAL, AudioChoice, default_output, driving_choices
from studio.jobs import Job, Kind

HEIGHTS = (("source", None), ("1080p", 1080), ("720p", 720), ("480p", 480), ("360p", 360))


@dataclass(frozen=True)
class ExportItem:
    """One queued export: the project (a snapshot) and where its file goes."""

    project: object
    output: Path


class ExportDialog(QDialog):
    def __init__(self, session, parent=None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.settings = settings or QSettings()
        self.setWindowTitle("Export")
        st = session.state
        self.jobs: list[Job] = []
        self.results: list[dict] = []
        last = self.settings.value("export_folder")
        self.format = QComboBox()
        self.format.addItems([f.label for f in FORMATS.values()])
        remembered = str(self.settings.value("export_format") or "h264")
        self.format.setCurrentIndex(list(FORMATS).index(remembered) if remembered in FORMATS else 0)
        suffix = self.output_format().suffix
        out = default_output(st.project_path, Path(st.clip_path), str(last) if last else None, suffix)
        self.output = QLineEdit(str(out))
        self.confirm = (
            lambda title, text: QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes
        )
        browse = QPushButton("...")
        browse.clicked.connect(self._browse)
        self.start_frame, self.stop_frame = QSpinBox(), QSpinBox()
        for w in (self.start_frame, self.stop_frame):
            w.setRange(0, st.frame_count)
        start, stop = st.timeline.marked_range(st.frame_count)  # the in/out marks, if set
        self.start_frame.setValue(start)
        self.stop_frame.setValue(stop)
        self.height = QComboBox()
        for label, _h in HEIGHTS:
            self.height.addItem(label)
        ex = st.project.export
        self.crf = QSpinBox()
        self.crf.setRange(0, 51)
        self.crf.setValue(ex.crf)
        self.crf.setToolTip("x264 CRF: lower is better quality and a bigger file (18 is visually lossless)")
        self.audio = QComboBox()
        self.audio_choices: list[AudioChoice] = []
        self.queue = QListWidget()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel()
        self._build(browse)
        self._fill_audio(ORIGINAL if ex.audio else NO_AUDIO)
        st.timeline_changed.connect(self._refresh_audio)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    def output_format(self) -> OutputFormat:
        return list(FORMATS.values())[max(0, self.format.currentIndex())]

    def _format_changed(self) -> None:
        """The output's extension follows the format; x264's CRF and the audio apply only where
        the format has them (an image sequence has no audio)."""
        fmt = self.output_format()
        text = self.output.text()
        if text:
            self.output.setText(str(with_format_suffix(Path(text), fmt)))
        self.crf.setEnabled(fmt.codec == "libx264")
        self.audio.setEnabled(fmt.has_audio)
        self.audio.setToolTip("" if fmt.has_audio else "An image sequence has no audio")

    def _build(self, browse: QPushButton) -> None:
        out_row = QHBoxLayout()
        out_row.addWidget(self.output, 1)
        out_row.addWidget(browse)
        rng = QHBoxLayout()
        rng.addWidget(self.start_frame)
        rng.addWidget(QLabel("to (exclusive)"))
        rng.addWidget(self.stop_frame)
        form = QFormLayout()
        form.addRow("Output", out_row)
        form.addRow("Format", self.format)
        form.addRow("Frames", rng)
        form.addRow("Resolution", self.height)
        form.addRow("Quality (CRF)", self.crf)
        form.addRow("Audio", self.audio)
        add = QPushButton("Add saved projects to the queue...")
        add.clicked.connect(self._add_projects)
        self.export_button, self.cancel_button = QPushButton("Export"), QPushButton("Cancel")
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        v = QVBoxLayout(self)
        v.addLayout(form)
        v.addWidget(QLabel("Batch queue (exported after this project, same settings):"))
        v.addWidget(self.queue)
        v.addWidget(self.progress)
        v.addWidget(self.status)
        v.addLayout(buttons)
        self.resize(620, 480)

    def _browse(self) -> None:
        fmt = self.output_format()
        kinds = f"{fmt.label} (*{fmt.suffix})" if fmt.suffix else f"{fmt.label}: a new folder (*)"
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.output.text(), kinds)
        if path:
            self.output.setText(str(with_format_suffix(Path(path), fmt)))

    def _add_projects(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Projects to export", "", "Projects (project.json)")
        for p in paths:
            self.add_project(Path(p))

    def add_project(self, path: Path) -> None:
        self.queue.addItem(str(path))

    def _fill_audio(self, keep: AudioChoice) -> None:
        """(Re)list the choices from the document as it is now, keeping `keep` when still there."""
        self.audio_choices = [ORIGINAL, *driving_choices(self.session.document()), NO_AUDIO]
        keys = [c.key for c in self.audio_choices]
        self.audio.blockSignals(True)
        self.audio.clear()
        self.audio.addItems([c.label for c in self.audio_choices])
        self.audio.setCurrentIndex(keys.index(keep.key) if keep.key in keys else 0)
        self.audio.blockSignals(False)

    def _refresh_audio(self) -> None:
        self._fill_audio(self.audio_choice())

    def audio_choice(self) -> AudioChoice:
        return self.audio_choices[max(0, self.audio.currentIndex())]

    def config(self, output: Path):
        from render_core.render.pipeline import RenderConfig

        stop, choice = self.stop_frame.value(), self.audio_choice()
        return RenderConfig(
            output=str(output),
            frames=(self.start_frame.value(), stop if stop > 0 else None),
            height=dict(HEIGHTS)[self.height.currentText()],
            crf=self.crf.value(),
            audio=choice.keep,
            device=self.session.device,
            audio_clip=choice.clip,
            audio_sync=choice.sync,
            audio_stop=choice.stop,
            format=self.output_format().name,
        )

    def items(self) -> list[ExportItem]:
        """This document (as it is now, unsaved edits included) and then the queued projects."""
        from render_core.project.io import load_project

        out = [ExportItem(self.session.document(), Path(self.output.text()))]
        for i in range(self.queue.count()):
            project = load_project(self.queue.item(i).text())
            name = f"{project.name}-edited{self.output_format().suffix}"
            out.append(ExportItem(project, Path(project.folder) / name))
        return out

    def start(self) -> list[Job]:
        """Export this document and the queue; nothing starts if the user keeps an existing file."""
        from render_core.render.pipeline import render_clip

        self.jobs, self.results = [], []
        items = self.items()
        out = items[0].output
        if out.exists() and not self.confirm("Replace file?", f"{out.name} already exists. Replace it?"):
            return []
        self.settings.setValue("export_folder", str(out.parent))
        self.settings.setValue("export_format", self.output_format().name)
        for k, item in enumerate(items):
            cfg = self.config(item.output) if k == 0 else self._queued_config(item.project, item.output)
            job = self.session.runner.submit(
                lambda ctx, p=item.project, c=cfg: render_clip(p, c, ctx),
                f"export {item.output.name}",
                Kind.HEAVY,
            )
            job.signals.progress.connect(lambda f, msg, k=k, n=len(items): self._progress(k, n, f, msg))
            job.signals.finished.connect(self._finished)
            job.signals.failed.connect(lambda line, details: self._ended(f"failed: {line}"))
            job.signals.failed.connect(self.session.error)
            job.signals.cancelled.connect(lambda: self._ended("cancelled (no partial file left)"))
            self.jobs.append(job)
        self.export_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        return self.jobs

    def _queued_config(self, project, output: Path):
        """Queued projects export their own in/out range (whole without marks, as `render`
        does) with this dialog's resolution/quality; a driving audio belongs to this project's
        layers, so they keep their original audio then."""
        from render_core.render.pipeline import marked_frames

        own = {"audio_clip": None, "audio_sync": None, "audio_stop": None}
        return replace(self.config(output), frames=marked_frames(project), **own)

    def _progress(self, k: int, n: int, fraction: float, message: str) -> None:
        self.progress.setValue(int(1000 * (k + fraction) / n))
        self.status.setText(f"{k + 1}/{n}: {message}")

    def _finished(self, summary: dict) -> None:
        self.results.append(summary)
        self.status.setText(
            f"wrote {summary['output']} ({summary['frames']} frames, {summary.get('fps')} fps)"
            + "".join(f"\nwarning: {line}" for line in summary.get("warnings", []))
        )
        if len(self.results) == len(self.jobs):
            self._ended("done")

    def _ended(self, why: str) -> None:
        if why != "done":
            for job in self.jobs:
                job.cancel()  # a failure or cancel stops the rest of the queue too
        self.status.setText(f"{self.status.text()}  [{why}]")
        self.export_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def cancel(self) -> None:
        for job in self.jobs:
            job.cancel()
