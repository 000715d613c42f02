"""Training feedback a new user can read: the loss chart draws a line, the model library lists
a checkpoint as soon as a run ends (finished or cancelled), an undertrained model says so, and
the dialog proposes the clip's family, explains its choices and offers Resume only with a
checkpoint to resume."""

from __future__ import annotations

import json

import numpy as np
from PySide6.QtGui import QColor

from studio.loss_chart import COLORS, LossChart


def qimage_to_array(img) -> np.ndarray:
    img = img.convertToFormat(img.Format.Format_RGB888)
    return (
        np.array(img.constBits(), np.uint8)
        .reshape(img.height(), img.bytesPerLine())[:, : 3 * img.width()]
        .reshape(img.height(), img.width(), 3)
    )


def test_loss_chart_draws_a_line_through_its_points(qtbot):
    chart = LossChart("loss")
    qtbot.addWidget(chart)
    chart.resize(480, 260)
    for step in range(1, 60):
        chart.add(step, {"l1": 1.1388588 - 0.01 * step + 0.002 * np.sin(step), "d": 0.7})
    assert chart.series["l1"][0][-1] == 59 and len(chart.series["l1"][1]) == 59
    img = qimage_to_array(chart.grab().toImage())
    blue = np.array(QColor(COLORS[0]).getRgb()[:3])
    r = chart.plot_rect()
    inside = img[int(r.top()) + 30 : int(r.bottom()), int(r.left()) + 4 : int(r.right()) - 4]
    near = np.abs(inside[..., :3].astype(int) - blue).sum(-1) < 60
    assert near.any(axis=0).mean() > 0.8  # the l1 line crosses most of the plot's width
    y0, y1 = chart.bounds()[2:]
    assert 0.5 < y0 < y1 < 1.2  # the axis spans the values, not a collapsed range


def _fake_checkpoint(folder, name, meta):
    ck = folder / name
    ck.mkdir(parents=True)
    (ck / "model.json").write_text(json.dumps(meta))
    (ck / "model.safetensors").write_bytes(b"")
    return ck


def test_library_refreshes_when_a_run_ends_and_warns_of_an_undertrained_model(opened, tmp_path, monkeypatch):
    from studio import dialogs

    monkeypatch.setenv("RENDER_STUDIO_CACHE", str(tmp_path))  # a library of this test's own

    dialogs.show_train(opened)
    dlg, library = opened.train_dialog, opened.library
    meta = {"family": "portrait", "preset": "cpu-preview", "step": 185, "metrics": {},
            "wall_time_s": 40.0, "config": {"default_minutes": 10.0}}  # fmt: skip
    ck = _fake_checkpoint(tmp_path / "models", "portrait-cancelled", meta)
    assert str(ck) not in library.paths()
    dlg._pausing = False
    dlg._stopped("cancelled")  # what the job's cancelled signal runs
    assert str(ck) in library.paths()
    assert "cancelled at step" in dlg.rate_label.text() and "undertrained" in dlg.rate_label.text()
    row = library.tree.topLevelItem(library.paths().index(str(ck)))
    assert "not evaluated" in row.text(4) and "blurred" in row.toolTip(4)
    warnings = []
    library.warning.connect(warnings.append)
    library.use(ck)
    assert opened.state.renderer == ck.name and "undertrained" in warnings[0]
    assert "undertrained" in opened.status.currentMessage()


def test_library_warns_when_a_model_renders_its_clip_below_the_baseline(opened, tmp_path, monkeypatch):
    monkeypatch.setenv("RENDER_STUDIO_CACHE", str(tmp_path))
    library = opened.library
    metrics = {"psnr": 27.77, "baseline_psnr": 32.17}
    meta = {"family": "body", "preset": "cpu-preview", "step": 1982, "wall_time_s": 606.0,
            "metrics": metrics, "config": {"default_minutes": 10.0}}  # fmt: skip
    ck = _fake_checkpoint(tmp_path / "models", "body-below", meta)
    warnings = []
    library.warning.connect(warnings.append)
    library.use(ck)
    assert warnings and "32.17" in warnings[0] and "warp renderer" in warnings[0]


def test_dialog_proposes_portrait_for_a_talking_head_and_explains(opened, tmp_path, monkeypatch):
    from studio import dialogs

    monkeypatch.setenv("RENDER_STUDIO_CACHE", str(tmp_path))

    dialogs.show_train(opened)
    dlg = opened.train_dialog
    assert dlg.family.currentText() == "portrait"  # the small clip is a talking head
    assert "talking head" in dlg.family_help.text() and "CPU" in dlg.preset_help.text()
    dlg.preset.setCurrentText("gpu-quality")
    assert "GPU" in dlg.preset_help.text()
    assert not dlg.resume_button.isEnabled()  # nothing to resume yet
    _fake_checkpoint(dlg.out_dir().parent, dlg.out_dir().name, {"family": "portrait"})
    dlg.preset.setCurrentText("cpu-preview")
    dlg.preset.setCurrentText("gpu-quality")
    assert dlg.resume_button.isEnabled()


def test_preferences_offer_the_real_preset_names(window, settings):
    from studio.dialogs import PreferencesDialog

    settings.setValue("default_preset", "preview-cpu")  # a name no family has
    dlg = PreferencesDialog(settings, window)
    names = [dlg.preset.itemText(i) for i in range(dlg.preset.count())]
    assert names == ["cpu-preview", "gpu-quality"] and dlg.preset.currentText() == "cpu-preview"


def test_the_library_says_how_a_portrait_model_draws_its_edits():
    from studio.model_library import quality_text

    meta = {"metrics": {"composition": "edit region", "psnr": 21.13, "contact_sheet": "m.png"}}
    assert quality_text(meta) == "draws: edit region, psnr 21.1"
    assert quality_text({"metrics": {"psnr": 30.0}}) == "psnr 30"
    assert "not evaluated" in quality_text({"metrics": {"composition": "free"}, "step": 3})
