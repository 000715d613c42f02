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


def write_image_set(folder: Path) -> Path:
    """An image-set project (what `capture SET --project FOLDER` writes): the synthetic
    sphere seen by 12 cameras round it, no model yet."""
    from render_core.project.capture import read_capture, save_capture
    from tests.core.families.novel_view.conftest import write_llff

    capture = read_capture(write_llff(folder.parent / f"{folder.stem}-images"))
    save_capture(capture, folder / "captures" / "sphere" / "capture.json")
    return folder


def train_novel_view(folder: Path, steps: int = 2) -> Path:
    """A tiny novel-view model of the project's capture, `steps` steps (a smoke model)."""
    import torch

    from render_core.families.registry import get_family
    from render_core.jobs import null_context
    from render_core.training.trainer import TrainConfig, run_training

    tiny = {"resolution": 32, "grid": 10, "depth_samples": 12, "eval_frames": 2}
    cap, out = folder / "captures" / "sphere" / "capture.json", folder / "models" / "novel_view-cpu-preview"
    cfg = TrainConfig("novel_view", [cap], out, steps=steps, overrides=tiny, tensorboard=False)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        run_training(cfg, get_family("novel_view"), null_context())
    finally:
        torch.set_num_threads(threads)
    return out


@pytest.fixture
def image_set(tmp_path) -> Path:
    return write_image_set(tmp_path / "sphere.rfproj")


@pytest.fixture(scope="session")
def trained_image_set(tmp_path_factory) -> Path:
    """An image-set project with a 2-step novel-view model, shared by the session's tests
    (they only read it)."""
    folder = write_image_set(tmp_path_factory.mktemp("trained") / "sphere.rfproj")
    train_novel_view(folder)
    return folder


@pytest.fixture
def opened_image_set(window, qtbot, image_set):
    """The window with the image set open and its first frame shown."""
    window.open_path(image_set)
    qtbot.waitUntil(lambda: window.viewer.original is not None, timeout=30_000)
    return window
