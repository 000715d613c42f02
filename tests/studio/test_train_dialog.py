"""Training from the dialog: a few tiny steps on the small clip show progress, a loss curve and
sample images; pause checkpoints, resume continues from there, and the finished model lands in
the model library, where it can be chosen as the project's renderer (undoably)."""

from __future__ import annotations

import math

import pytest

TINY = {"resolution": 64, "g_depth": 5, "g_base": 8, "g_max": 32, "d_base": 8, "batch_size": 1,
        "eval_every": 2, "sample_every": 2, "checkpoint_every": 2}  # fmt: skip


@pytest.fixture
def dialog(opened):
    from studio import dialogs

    dialogs.show_train(opened)
    dlg = opened.train_dialog
    dlg.family.setCurrentText("portrait")
    dlg.preset.setCurrentText("cpu-preview")
    dlg.device.setCurrentText("cpu")
    dlg.minutes.setValue(0)
    dlg.frames.setValue(12)
    dlg.steps.setValue(4)
    dlg.overrides = dict(TINY)
    return dlg


def test_train_pause_resume_lands_in_library(opened, dialog, qtbot):
    steps, progress = [], []
    dialog.relay.event.connect(lambda ev: steps.append(ev.step) if ev.kind == "loss" else None)
    job = dialog.start()
    job.signals.progress.connect(lambda f, m: progress.append(f))
    qtbot.waitUntil(lambda: len(steps) >= 1, timeout=120_000)
    with qtbot.waitSignal(job.signals.cancelled, timeout=60_000):
        dialog.pause()
    assert "paused" in dialog.rate_label.text() and dialog.resume_button.isEnabled()
    paused_at = steps[-1]
    with qtbot.waitSignal(dialog.trained, timeout=120_000):
        dialog.start(resume=True)
    assert dialog.result.steps == 4 and steps[-1] == 4 and paused_at < 4
    assert steps[steps.index(paused_at) + 1] == paused_at + 1  # resumed, not restarted
    assert progress and max(progress) > 0
    xs, ys = next(iter(dialog.points.values()))
    assert xs == sorted(xs) and xs[-1] == 4 and all(math.isfinite(y) for y in ys)
    assert dialog.sample.pixmap() is not None and not dialog.sample.pixmap().isNull()
    assert dialog.metrics_label.text() != "held-out metrics: -"
    ck = dialog.result.checkpoint
    library = opened.library
    assert str(ck) in library.paths()
    library.tree.setCurrentItem(library.tree.topLevelItem(library.paths().index(str(ck))))
    library.use_selected()
    assert opened.state.renderer == ck.name and ck.name in [m.id for m in opened.state.project.models]
    opened.state.undo_stack.undo()
    assert opened.state.renderer == "warp" and not opened.state.project.models


def test_unseen_poses_option_shifts_body_training_only(opened):
    from render_core.families.body.config import UNSEEN_POSE_SHIFT
    from studio import dialogs

    dialogs.show_train(opened)
    dlg = opened.train_dialog
    unseen_poses = dlg.option_boxes["for dances with poses the clip never shows"]
    dlg.family.setCurrentText("body")
    assert unseen_poses.isEnabled()
    assert "shift_augment" not in dlg.config(False).overrides
    unseen_poses.setChecked(True)
    assert dlg.config(False).overrides["shift_augment"] == UNSEEN_POSE_SHIFT > 0
    dlg.family.setCurrentText("portrait")
    assert not unseen_poses.isEnabled() and "shift_augment" not in dlg.config(False).overrides


@pytest.mark.slow
def test_two_processes_train_one_model_with_live_events(opened, dialog, qtbot):
    """ "Processes: 2" trains on two processes on this machine; this one (rank 0) still feeds
    the loss curve, and the checkpoint says two processes trained it."""
    import json

    steps = []
    dialog.relay.event.connect(lambda ev: steps.append(ev.step) if ev.kind == "loss" else None)
    dialog.steps.setValue(2)
    dialog.processes.setValue(2)
    assert dialog.config(False).processes == 2
    with qtbot.waitSignal(dialog.trained, timeout=180_000):
        dialog.start()
    assert dialog.result.steps == 2 and steps == [1, 2]
    meta = json.loads((dialog.result.checkpoint / "model.json").read_text())
    assert meta["processes"] == 2
