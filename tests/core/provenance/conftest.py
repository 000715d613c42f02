"""Fixtures: a tiny signed-able clip and a manifest for it."""

from __future__ import annotations

import pytest

from render_core.edits.layer import EditLayer
from render_core.edits.params import PARAMS
from render_core.provenance.manifest import EditRange, ExportRecord, SourceClip, build_manifest
from tests import corpus


def record(renderer: str = "warp", family: str | None = None, title: str = "out.mp4") -> ExportRecord:
    return ExportRecord(
        title=title,
        mime="video/mp4" if title.endswith(".mp4") else "image/png",
        renderer=renderer,
        family=family,
        frames=(0, 12),
        edits=(EditRange("expression", "smile", 2, 7),),
        source=SourceClip("clip.mp4", "0123456789abcdef", "video/mp4"),
    )


def layer(kind: str, start: int, end: int, keyed: bool = True, enabled: bool = True) -> EditLayer:
    keyframes = {start: PARAMS[kind]()} if keyed else {}
    return EditLayer(kind, start, end, keyframes=keyframes, enabled=enabled)


@pytest.fixture
def manifest() -> dict:
    return build_manifest(record())


@pytest.fixture
def clip(tmp_path):
    """12 frames of 64x48 H.264 with AAC audio, as an export's temporary file would be."""
    return corpus.make_clip(tmp_path / "clip.part.mp4", frames=12, size=(64, 48))
