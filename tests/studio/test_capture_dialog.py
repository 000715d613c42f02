"""File > New capture from video: the action is in the File menu, the dialog builds the
arguments `main.py capture VIDEO --project P` parses to, and the job it starts runs the CLI's
own function and opens the project it wrote."""

from __future__ import annotations

import argparse

from render_core.cli import cmd_capture
from studio.capture_dialog import CaptureDialog, start_capture


def _parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cmd_capture.add_arguments(parser)
    return parser.parse_args(argv)


def test_the_file_menu_offers_a_capture_from_video(window):
    action = window.acts["capture"]
    from PySide6.QtWidgets import QMenu

    (menu,) = [m for m in action.associatedObjects() if isinstance(m, QMenu)]
    assert menu.title().replace("&", "") == "File"
    assert action.text().replace("&", "") == "New capture from video..."


def test_the_dialog_builds_the_capture_commands_arguments(qtbot, tmp_path):
    dlg = CaptureDialog(None, str(tmp_path))
    qtbot.addWidget(dlg)
    assert not dlg.buttons.button(dlg.buttons.StandardButton.Ok).isEnabled()  # no video yet
    video = tmp_path / "walk.mp4"
    dlg.video.setText(str(video))
    assert dlg.project.text() == str(tmp_path / "walk.rfproj")  # where the CLI would put it
    assert vars(dlg.args()) == vars(_parsed(str(video), "--project", str(tmp_path / "walk.rfproj")))
    dlg.project.setText(str(tmp_path / "mine"))
    dlg.project.textEdited.emit(str(tmp_path / "mine"))  # typed by the user: kept
    dlg.video.setText(str(tmp_path / "other.mov"))
    assert vars(dlg.args()) == vars(_parsed(str(tmp_path / "other.mov"), "--project", str(tmp_path / "mine")))


def test_the_job_runs_the_cli_function_and_opens_its_project(window, qtbot, tmp_path, monkeypatch):
    calls, opened = [], []

    def fake_run(args, ctx):
        ctx.step(1, 2, "features")
        calls.append(vars(args))
        return {"capture": "c.json", "views": 60, "registered": 0.95}

    monkeypatch.setattr(cmd_capture, "run", fake_run)
    monkeypatch.setattr(window, "open_path", lambda p: opened.append(p) or object())  # a job: opening
    args = _parsed(str(tmp_path / "walk.mp4"), "--project", str(tmp_path / "walk.rfproj"))
    job = start_capture(window, args)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    assert calls == [vars(args)] and opened == [str(tmp_path / "walk.rfproj")] and job.done
    qtbot.waitUntil(lambda: "95% of the frames got a camera" in window.status.currentMessage(), timeout=5_000)
    assert "File > Open" not in window.status.currentMessage()


def test_a_capture_the_user_does_not_open_says_where_it_went(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(cmd_capture, "run", lambda args, ctx: {"capture": "c.json", "views": 60})
    monkeypatch.setattr(window, "open_path", lambda p: None)  # Cancel at the unsaved-changes prompt
    start_capture(window, _parsed(str(tmp_path / "walk.mp4"), "--project", str(tmp_path / "walk.rfproj")))
    want = f"Captured 60 views into {tmp_path / 'walk.rfproj'}: File > Open it"
    qtbot.waitUntil(lambda: window.status.currentMessage() == want, timeout=10_000)
