"""Unsaved work is never replaced or dropped without the user's word: opening another file or
quitting with unsaved changes asks Save / Discard / Cancel, and each answer does what it says."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog


def _answer(win, reply: str) -> list[str]:
    asked: list[str] = []
    win.ask_save = lambda text: asked.append(text) or reply
    return asked


def test_open_another_file_cancel_keeps_the_unsaved_project(opened, clip_path):
    layer = opened.inspector.add_layer("expression")
    asked = _answer(opened, "cancel")
    assert opened.open_path(clip_path) is None
    assert len(asked) == 1 and "Save the changes" in asked[0]
    assert [ly.id for ly in opened.state.timeline.layers] == [layer.id] and opened.state.dirty


def test_open_another_file_discard_replaces_and_drops_the_autosave(opened, qtbot, clip_path):
    opened.inspector.add_layer("expression")
    auto = opened.session.autosave_now()
    assert auto is not None and auto.exists()
    asked = _answer(opened, "discard")
    with qtbot.waitSignal(opened.session.opened, timeout=30_000):
        assert opened.open_path(clip_path) is not None
    assert len(asked) == 1 and opened.state.timeline.layers == () and not opened.state.dirty
    assert not auto.exists()  # a discarded edit is not offered back as a recovery


def test_open_another_file_save_saves_first(opened, qtbot, clip_path, tmp_path, monkeypatch):
    opened.inspector.add_layer("gaze")
    target = tmp_path / "mine.rfproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    _answer(opened, "save")
    with qtbot.waitSignal(opened.session.opened, timeout=30_000):
        opened.open_path(clip_path)
    assert (target / "project.json").exists() and '"gaze"' in (target / "project.json").read_text()


def test_open_save_cancelled_in_the_file_dialog_stays(opened, clip_path, monkeypatch):
    opened.inspector.add_layer("gaze")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    _answer(opened, "save")
    assert opened.open_path(clip_path) is None and opened.state.dirty


def test_quit_offers_save_discard_cancel(opened, tmp_path, monkeypatch):
    opened.inspector.add_layer("expression")
    asked = _answer(opened, "cancel")
    assert not opened.close() and opened.isVisible() and opened.state.dirty
    target = tmp_path / "quit.rfproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    _answer(opened, "save")
    assert opened.close()
    assert len(asked) == 1 and Path(target / "project.json").exists() and not opened.state.dirty


def test_clean_project_opens_and_quits_without_asking(opened, qtbot, clip_path):
    asked = _answer(opened, "cancel")
    with qtbot.waitSignal(opened.session.opened, timeout=30_000):
        opened.open_path(clip_path)
    assert opened.close() and asked == []
