"""The export hook: a writer signs its temporary output before publishing it, and a failure
leaves nothing under the final name."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from render_core.edits.timeline import EditTimeline
from render_core.errors import InputError
from render_core.media.encode import VideoWriter
from render_core.media.image_sequence import ImageSequenceWriter
from render_core.project.document import ClipRef, ModelRef, Project
from render_core.provenance import sign_export
from render_core.provenance.credentials import BUNDLE_NAME, ENV_DIR
from render_core.provenance.export import export_record
from render_core.provenance.verify import verify
from tests.core.provenance.conftest import layer


def project(tmp_path, renderer: str = "warp") -> Project:
    clip = ClipRef("clip1", str(tmp_path / "talk.mov"), "feedfacefeedface")
    return Project(
        "talk",
        clips=(clip,),
        target_clip="clip1",
        models=(ModelRef("m1", "portrait", "models/m1"),),
        renderer=renderer,
        timeline=EditTimeline((layer("head_pose", 2, 9),)),
    )


def write(writer, n: int = 4) -> None:
    with writer:
        for k in range(n):
            writer.write(np.full((32, 48, 3), 30 * k, np.uint8))


def test_export_record_reads_the_project():
    rec = export_record(project(Path("/x"), "m1"), "m1", (0, 6), "out.mov")
    assert rec.neural and rec.family == "portrait" and rec.mime == "video/quicktime"
    assert rec.source.content_hash == "feedfacefeedface" and rec.source.mime == "video/quicktime"
    assert [(e.kind, e.start, e.end) for e in rec.edits] == [("head_pose", 2, 5)]


def test_a_video_export_is_published_signed(tmp_path):
    out = tmp_path / "out.mp4"
    writer = VideoWriter(out, Fraction(12), 48, 32, preset="ultrafast")
    assert sign_export(writer, project(tmp_path), "warp", (0, 4))
    write(writer)
    v = verify(out)
    assert v.valid and v.summary["edits"] == ["head_pose 2-3"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]


def test_a_png_sequence_is_published_with_its_manifest_and_can_be_replaced(tmp_path):
    out = tmp_path / "seq"
    for _ in range(2):  # the second export replaces the first, manifest included
        writer = ImageSequenceWriter(out, Fraction(12), 48, 32)
        sign_export(writer, project(tmp_path), "warp", (0, 4))
        write(writer)
    assert "manifest.c2pa" in {p.name for p in out.iterdir()} and verify(out).valid


def test_a_failed_signing_leaves_no_file(tmp_path):
    out = tmp_path / "out.mp4"
    writer = VideoWriter(out, Fraction(12), 48, 32, preset="ultrafast")
    writer.finish_with(lambda part: (_ for _ in ()).throw(RuntimeError("signer down")))
    with pytest.raises(RuntimeError):
        write(writer)
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_key_fails_before_rendering_and_leaves_no_file(tmp_path, monkeypatch):
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / BUNDLE_NAME).write_text("garbage")
    monkeypatch.setenv(ENV_DIR, str(keys))
    writer = VideoWriter(tmp_path / "out.mp4", Fraction(12), 48, 32, preset="ultrafast")
    with pytest.raises(InputError):
        sign_export(writer, project(tmp_path), "warp", (0, 4))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys"]


def test_matroska_is_left_unsigned(tmp_path):
    writer = VideoWriter(tmp_path / "out.mkv", Fraction(12), 48, 32, preset="ultrafast")
    assert not sign_export(writer, project(tmp_path), "warp", (0, 4))
    write(writer)
    assert not verify(tmp_path / "out.mkv").valid
