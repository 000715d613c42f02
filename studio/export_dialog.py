"""Export: path, frame range, resolution, quality, audio -> the pipeline's `render_clip` on the
heavy pool (the same function as `main.py render`), with progress and cancel; plus a batch
queue of other saved projects exported one after another with the same settings.

Audio: the target's own, none, or a reenact_face / transfer_body layer's driving clip, placed so
the driving frame `offset` sounds at the layer's first frame (the frame its motion starts from),
until its last. The output keeps the target's frame rate; the layer reads the driving clip by
time (`edits.settings`), so lips and sound stay together whatever the two clips' rates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
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

from render_core.edits.settings import DRIVEN_KINDS
from studio.jobs import Job, Kind

HEIGHTS = (("source", None), ("1080p", 1080), ("720p", 720), ("480p", 480), ("360p", 360))


@dataclass(frozen=True)
class AudioChoice:
    """One entry of the Audio combo. clip None: the target's audio; sync: (target frame, clip
    frame) that sound together (RenderConfig.audio_sync); stop: the target frame where it ends
    (the layer's last + 1: the driving performance is over there)."""

    label: str
    keep: bool
    clip: str | None = None
    sync: tuple[int, int] | None = None
    stop: int | None = None

    @property
    def key(self) -> tuple:
        """Which choice it is (the label and stop follow the layer's name and end)."""
        return (self.keep, self.clip, self.sync)


ORIGINAL = AudioChoice("Original audio", True)
NO_AUDIO = AudioChoice("No audio", False)


def driving_choices(project) -> list[AudioChoice]:
    """One choice per enabled reenact_face / transfer_body layer whose driving clip is in the project."""
    from render_core.edits.settings import ReenactSettings, TransferSettings

    parse = {"reenact_face": ReenactSettings.from_json, "transfer_body": TransferSettings.from_json}
    clips = {c.id: c for c in project.clips}
    out = []
    for layer in project.timeline.layers:
        ref = clips.get(layer.settings.get("driving_clip")) if layer.kind in DRIVEN_KINDS else None
        if not layer.enabled or ref is None:
            continue
        offset = parse[layer.kind](layer.settings).offset
        span = f"frames {layer.start}-{layer.end}"
        label = f"Driving audio: {Path(ref.path).name} (layer '{layer.name}', {span})"
        out.append(AudioChoice(label, True, ref.id, (layer.start, offset), layer.end + 1))
    return out


@dataclass(frozen=True)
class ExportItem:
    """One queued export: the project (a snapshot) and where its file goes."""

    project: object
    output: Path


def default_output(project_folder: Path | None, clip: Path, last_folder: str | None) -> Path:
    """Where an export goes unless the user says otherwise: a saved project's folder; else the
    folder of the last export; else the user's Videos folder. Never beside the source clip,
    which may be read-only or shared footage. The name is `<clip>-edited.mp4`, numbered past
    files that already exist so that accepting the default never replaces an earlier export."""
    folders = [project_folder, last_folder and Path(last_folder)]
    movies = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MoviesLocation)
    folders += [Path(movies) if movies else None, Path.home()]
    folder = next(f for f in folders if f is not None and f.is_dir())
    name, k = f"{clip.stem}-edited.mp4", 1
    while (folder / name).exists():
        k += 1
        name = f"{clip.stem}-edited-{k}.mp4"
    return folder / name


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
        out = default_output(st.project_path, Path(st.clip_path), str(last) if last else None)
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
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.output.text(), "MP4 video (*.mp4)")
        if path:
            self.output.setText(path)

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
        )

    def items(self) -> list[ExportItem]:
        """This document (as it is now, unsaved edits included) and then the queued projects."""
        from render_core.project.io import load_project

        out = [ExportItem(self.session.document(), Path(self.output.text()))]
        for i in range(self.queue.count()):
            project = load_project(self.queue.item(i).text())
            out.append(ExportItem(project, Path(project.folder) / f"{project.name}-edited.mp4"))
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
