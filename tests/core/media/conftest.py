"""Small synthetic clips shared by the media tests (made once per test session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import corpus


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def clip(media_dir) -> Path:
    """30 frames 160x120 @30 fps, GOP 10 with B-frames, 1 s AAC audio."""
    return corpus.make_clip(media_dir / "clip.mp4")


@pytest.fixture(scope="session")
def long_audio_clip(media_dir) -> Path:
    """60 smooth frames (2 s) carrying 8 s of audio: the writer must trim it."""
    return corpus.make_clip(media_dir / "long_audio.mp4", frames=60, audio_seconds=8.0, pattern="gradients")


@pytest.fixture(scope="session")
def vfr_clip(media_dir) -> Path:
    return corpus.make_vfr(media_dir / "vfr.mp4")
