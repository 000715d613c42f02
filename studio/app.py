"""`run_studio(argv)`: start the Qt application, open the main window (and the clip or project
given on the command line), run the event loop, and tear down every worker thread."""

from __future__ import annotations

import os
import sys

APP_NAME = "Render Studio"
ORG_NAME = "render-studio"


def make_app(argv: list[str]):
    """The QApplication (existing one reused: tests run under pytest-qt's)."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    return app


def has_display() -> bool:
    """Qt's default platform on Linux needs an X or Wayland display (it aborts otherwise)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_studio(argv: list[str]) -> int:
    """Open the studio; `argv` may hold one clip or project path. Returns the exit code."""
    if not has_display():
        print(
            "error: no display found (DISPLAY is not set): the studio needs a screen; "
            "`python main.py demo` and the other commands run headless",
            file=sys.stderr,
        )
        return 2
    app = make_app(argv)
    from PySide6.QtWidgets import QMessageBox

    from studio.dialogs import apply_preferences
    from studio.main_window import MainWindow

    win = MainWindow()
    apply_preferences(win)
    win.session.ask_recover = lambda path: (
        QMessageBox.question(
            win,
            "Recover unsaved work?",
            f"An autosave newer than the document was found:\n{path}\n\nRecover it?",
        )
        == QMessageBox.StandardButton.Yes
    )
    win.show()
    paths = [a for a in argv if not a.startswith("-")]
    if paths:
        win.open_path(paths[0])
    code = app.exec()
    win.session.shutdown()
    return int(code)
