"""Train a personal model: family, preset, clip, budget, device -> `train_model` on the heavy
pool, with steps/s, a live loss curve (`studio.loss_chart`), held-out metrics and sample images.

Pause cancels the job (the trainer checkpoints on cancel) and Resume continues it from that
checkpoint (`resume=True`); Cancel stops for good. Trainer events arrive on the worker thread
and are relayed to the GUI thread through a signal.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from render_core.media.frames import to_uint8
from render_core.paths import user_cache_dir
from studio.jobs import Job, Kind
from studio.loss_chart import LossChart
from studio.preview import to_qimage
from studio.train_choices import family_help, preset_help


class EventRelay(QObject):
    """Lives in the GUI thread; `emit` from the trainer thread is queued to GUI slots."""

    event = Signal(object)


def project_folder(session) -> Path | None:
    """The open document's folder: a saved project's, or an image set's; None for a bare clip."""
    st = session.state
    return st.project_path or (st.image_set.folder if st.image_set is not None else None)


def models_dir(session) -> Path:
    """<project>/models for a saved project or an image set, else the user cache's models folder."""
    folder = project_folder(session)
    return folder / "models" if folder else user_cache_dir() / "models"


class TrainDialog(QDialog):
    trained = Signal(object)  # TrainResult
    ended = Signal()  # a run ended (finished, paused, cancelled or failed): a checkpoint may be new

    def __init__(self, session, settings, parent=None) -> None:
        super().__init__(parent)
        from render_core.families.registry import family_names, get_spec, suggested_family

        self.session, self.settings = session, settings
        self.setWindowTitle("Train a personal model")
        self.job: Job | None = None
        self.result = None
        self.overrides: dict = {}
        self.relay = EventRelay(self)
        self.relay.event.connect(self._on_event)
        self.family = QComboBox()
        names = family_names()
        self.family.addItems(names)
        image_set = session.state.image_set
        wanted = "novel_view" if image_set is not None and "novel_view" in names else None
        self.family.setCurrentText(wanted or suggested_family(session.state.tracks, names))
        self.family.currentTextChanged.connect(self._fill_presets)
        self.preset = QComboBox()
        self.preset.currentTextChanged.connect(lambda _p: self._explain())
        self.family_help, self.preset_help = QLabel(), QLabel()
        for label in (self.family_help, self.preset_help):
            label.setWordWrap(True)
            label.setStyleSheet("color: gray")
        self.clip = QLineEdit(str(image_set.capture_file) if image_set else session.state.clip_path or "")
        self.steps = QSpinBox()
        self.steps.setRange(0, 10_000_000)
        self.steps.setSpecialValueText("no step limit")
        self.minutes = QDoubleSpinBox()
        self.minutes.setRange(0.0, 10_000.0)
        self.minutes.setValue(10.0)
        self.minutes.setSpecialValueText("no time limit")
        self.frames = QSpinBox()
        self.frames.setRange(0, 1_000_000)
        self.frames.setSpecialValueText("all frames")
        # each family's named options (preset overrides), offered where the chosen family has them
        self.option_boxes: dict[str, QCheckBox] = {}
        for option in (o for name in names for o in get_spec(name).options):
            self.option_boxes[option.label] = box = QCheckBox(option.label)
            box.setToolTip(option.help)
        self.device = QComboBox()
        self.device.addItems(["auto", "cpu", "cuda"])
        self.device.setCurrentText(str(settings.value("device", "auto")))
        self.processes = QSpinBox()  # data-parallel training processes on this machine
        self.processes.setRange(1, max(1, os.cpu_count() or 1))
        self.processes.setToolTip("Each process trains on its share of the frames (docs/distributed.md)")
        self._build()
        self._fill_presets(self.family.currentText())
        self._set_running(False)

    def _build(self) -> None:
        form = QFormLayout()
        for label, w in (
            ("Family", self.family),
            ("", self.family_help),
            ("Preset", self.preset),
            ("", self.preset_help),
            ("Clip", self.clip),
            ("Steps", self.steps),
            ("Minutes", self.minutes),
            ("Frames", self.frames),
            ("Device", self.device),
            ("Processes", self.processes),
        ):
            form.addRow(label, w)
        for box in self.option_boxes.values():
            form.addRow("Option", box)
        self.plot = LossChart("loss")
        self.rate_label, self.metrics_label = QLabel("-"), QLabel("held-out metrics: -")
        self.sample = QLabel()
        self.sample.setMinimumHeight(96)
        self.sample.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.start_button, self.pause_button = QPushButton("Start"), QPushButton("Pause")
        self.resume_button, self.cancel_button = QPushButton("Resume"), QPushButton("Cancel")
        self.start_button.clicked.connect(lambda: self.start(resume=False))
        self.resume_button.clicked.connect(lambda: self.start(resume=True))
        self.pause_button.clicked.connect(self.pause)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.resume_button, self.cancel_button):
            buttons.addWidget(b)
        v = QVBoxLayout(self)
        v.addLayout(form)
        v.addWidget(self.plot, 2)
        v.addWidget(self.rate_label)
        v.addWidget(self.metrics_label)
        v.addWidget(self.sample, 1)
        v.addLayout(buttons)
        self.resize(720, 760)

    def _fill_presets(self, family: str) -> None:
        from render_core.families.registry import get_spec, preset_names

        offered = {o.label for o in get_spec(family).options} if family else set()
        for label, box in self.option_boxes.items():
            box.setEnabled(label in offered)
        self.preset.clear()
        names = preset_names(family) if family else []
        self.preset.addItems(names)
        default = str(self.settings.value("default_preset", ""))
        if default in names:
            self.preset.setCurrentText(default)
        self._explain()

    def _explain(self) -> None:
        """The chosen family's and preset's one-line descriptions; Resume only with a checkpoint."""
        self.family_help.setText(family_help(self.family.currentText()))
        self.preset_help.setText(preset_help(self.preset.currentText()))
        if self.job is None or self.job.done:
            self.resume_button.setEnabled(self.can_resume())

    def can_resume(self) -> bool:
        """A checkpoint of this family and preset exists for the project (Resume continues it)."""
        from render_core.training.checkpoint import resolve

        return bool(self.preset.currentText()) and resolve(self.out_dir()) is not None

    def out_dir(self) -> Path:
        return models_dir(self.session) / f"{self.family.currentText()}-{self.preset.currentText()}"

    def config(self, resume: bool):
        from render_core.families.registry import get_spec
        from render_core.training.trainer import TrainConfig

        overrides = dict(self.overrides)
        for option in get_spec(self.family.currentText()).options:
            if self.option_boxes[option.label].isChecked():
                overrides.update(option.overrides)
        return TrainConfig(
            family=self.family.currentText(), clips=[Path(self.clip.text())], out_dir=self.out_dir(),
            preset=self.preset.currentText(), project_dir=project_folder(self.session),
            steps=self.steps.value() or None, minutes=self.minutes.value() or None, resume=resume,
            device=self.device.currentText(), overrides=overrides,
            max_frames=self.frames.value() or None, on_event=self.relay.event.emit, tensorboard=False,
            processes=self.processes.value(),
        )  # fmt: skip

    # -- run control ---------------------------------------------------------------------
    def start(self, resume: bool = False) -> Job:
        from render_core.families.train import train_model

        cfg = self.config(resume)
        if not resume:
            self._clear_plot()
        self._t0 = time.perf_counter()
        job = self.session.runner.submit(
            lambda ctx: train_model(cfg, ctx), f"training {cfg.family}", Kind.HEAVY
        )
        job.signals.finished.connect(self._finished)
        job.signals.failed.connect(lambda line, details: self._stopped(f"failed: {line}"))
        job.signals.failed.connect(self.session.error)
        job.signals.cancelled.connect(lambda: self._stopped("paused" if self._pausing else "cancelled"))
        self._pausing = False
        self.job = job
        self._set_running(True)
        return job

    def pause(self) -> None:
        if self.job is not None:
            self._pausing = True
            self.job.cancel()

    def cancel(self) -> None:
        if self.job is not None and not self.job.done:
            self._pausing = False
            self.job.cancel()

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.resume_button.setEnabled(not running and self.can_resume())
        self.pause_button.setEnabled(running)
        self.cancel_button.setEnabled(running)
        for w in (self.family, self.preset, self.clip, self.device, self.processes):
            w.setEnabled(not running)

    def _stopped(self, why: str) -> None:
        steps = max((xs[-1] for xs, _ys in self.points.values() if xs), default=0)
        kept = (
            ""
            if why.startswith("failed")
            else ": the checkpoint so far is kept, undertrained; Resume continues it"
        )
        self.rate_label.setText(f"{why} at step {steps}{kept}")
        self._set_running(False)
        self.ended.emit()

    def _finished(self, result) -> None:
        self.result = result
        self._set_running(False)
        self.rate_label.setText(
            f"done: {result.steps} steps in {result.wall_time_s:.1f} s -> {result.checkpoint}"
        )
        self._show_metrics(result.metrics)
        self.trained.emit(result)
        self.ended.emit()

    # -- events --------------------------------------------------------------------------
    @property
    def points(self) -> dict[str, tuple[list[int], list[float]]]:
        """{loss term: ([steps], [values])} the chart draws."""
        return self.plot.series

    def _clear_plot(self) -> None:
        self.plot.clear()

    def _on_event(self, ev) -> None:
        if ev.kind == "loss":
            self._add_losses(ev.step, ev.data)
        elif ev.kind == "sample":
            self._show_sample(ev.data)
        elif ev.kind == "metrics":
            self._show_metrics(ev.data)

    def _add_losses(self, step: int, data: dict) -> None:
        self.plot.add(
            step, {k: v for k, v in data.items() if k != "steps_per_s" and isinstance(v, int | float)}
        )
        self.rate_label.setText(f"step {step}   {data.get('steps_per_s', 0.0):.2f} steps/s")

    def _show_sample(self, image: np.ndarray) -> None:
        img = image if image.dtype == np.uint8 else to_uint8(image)
        pix = QPixmap.fromImage(to_qimage(img))
        self.sample.setPixmap(pix.scaledToHeight(min(160, pix.height() * 2)))

    def _show_metrics(self, metrics: dict) -> None:
        text = ", ".join(f"{k} {v:.3f}" for k, v in metrics.items() if isinstance(v, int | float))
        self.metrics_label.setText(f"held-out metrics: {text or '-'}")
