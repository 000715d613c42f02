"""Studio fixtures: an isolated cache and settings, a main window torn down with every worker
thread finished, and one shared tracking run of the small clip for the whole session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import carphone_path, footage_path


@pytest.fixture(scope="session")
def studio_cache(tmp_path_factory) -> Path:
    """All studio tests share one cache folder: the small clip is tracked once per session."""
    path = tmp_path_factory.mktemp("studio-cache")
    old = os.environ.get("RENDER_STUDIO_CACHE")
    os.environ["RENDER_STUDIO_CACHE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("RENDER_STUDIO_CACHE", None)
    else:
        os.environ["RENDER_STUDIO_CACHE"] = old


@pytest.fixture(scope="session")
def clip_path() -> Path:
    p = carphone_path()
    return p if p is not None else footage_path("A_liveportrait_d18.mp4")


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "studio.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, studio_cache, settings):
    """A shown MainWindow; at teardown its session is shut down and no pool thread remains."""
    from studio.main_window import MainWindow

    win = MainWindow(settings=settings)
    win.confirm = lambda title, text: True
    win.ask_save = lambda text: "discard"
    qtbot.addWidget(win)
    win.show()
    yield win
    assert win.shutdown()
    for pool in win.session.runner.pools.values():
        assert pool.activeThreadCount() == 0


@pytest.fixture
def opened(window, qtbot, clip_path):
    """The window with the small clip open and its tracks arrived."""
    window.open_path(clip_path)
    qtbot.waitUntil(lambda: window.state.tracks is not None, timeout=60_000)
    qtbot.waitUntil(lambda: window.viewer.original is not None, timeout=10_000)
    return window


@pytest.fixture(scope="session")
def clip_with_audio(clip_path, tmp_path_factory):
    """The small clip with a sine tone muxed in (the carphone clip has no audio track)."""
    import subprocess

    import imageio_ffmpeg

    out = tmp_path_factory.mktemp("audio") / "talk_audio.mp4"
    tone = "sine=frequency=440:sample_rate=44100"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(clip_path), "-f", "lavfi",
           "-i", tone, "-c:v", "copy", "-c:a", "aac", "-shortest", str(out)]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=60)
    return out
