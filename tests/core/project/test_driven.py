"""Driven-layer helpers shared by the CLI and the studio: clip ids, the newest model, the
performance's last frame, one layer per driving clip."""

from __future__ import annotations

import os
from fractions import Fraction

from render_core.edits.params import TransferBodyParams
from render_core.edits.timeline import EditTimeline
from render_core.media.clip_info import ClipInfo
from render_core.project.document import ClipRef, ModelRef, Project
from render_core.project.driven import (
    clip_ref,
    driven_layer,
    newest_model,
    performance_end,
    with_driven_layer,
)


def _info(content_hash: str, frames: int = 50, fps: Fraction = Fraction(30)) -> ClipInfo:
    return ClipInfo(
        path="x.mp4", content_hash=content_hash, width=64, height=48, fps_num=fps.numerator,
        fps_den=fps.denominator, frame_count=frames, duration=frames / float(fps),
    )  # fmt: skip


def test_a_known_clip_keeps_its_reference_and_a_new_one_gets_a_free_id(tmp_path):
    a = ClipRef("clip1", "a.mp4", "h1", _info("h1"))
    c = ClipRef("clip3", "c.mp4", "h3", _info("h3"))
    project = Project("p", clips=(a, c), folder=tmp_path)
    assert clip_ref(project, tmp_path / "again.mp4", _info("h1")) is a
    assert clip_ref(project, tmp_path / "b.mp4", _info("h2")).id == "clip4"
    assert clip_ref(Project("p", clips=(a,), folder=tmp_path), tmp_path / "b.mp4", _info("h2")).id == "clip2"


def test_newest_model_is_the_named_one_else_the_last_written_checkpoint(tmp_path):
    for name, age in (("old", 100), ("new", 10)):
        (tmp_path / name).mkdir()
        meta = tmp_path / name / "model.json"
        meta.write_text("{}")
        os.utime(meta, (1e9 - age, 1e9 - age))
    models = (ModelRef("new", "body", "new"), ModelRef("old", "body", "old"), ModelRef("f", "portrait", "f"))
    project = Project("p", models=models, folder=tmp_path)
    assert newest_model(project, "body").id == "new"
    assert newest_model(project, "body", "old").id == "old"
    assert newest_model(project, "novel_view") is None
    try:
        newest_model(project, "body", "f")
    except Exception as e:  # InputError: f is not a body model
        assert "no body model 'f'" in str(e)
    else:
        raise AssertionError("a model of another family was accepted")


def test_performance_end_reads_the_driving_clip_by_time():
    drv = _info("d", frames=25, fps=Fraction(25))  # one second
    assert performance_end(0, 0, drv, 30.0, 1000) == 29  # 30 output frames at 30 fps
    assert performance_end(10, 0, drv, 30.0, 20) == 19  # within the output
    assert performance_end(5, 30, drv, 30.0, 100) == 4  # offset past the end: before the start


def test_a_driven_layer_replaces_the_earlier_one_of_the_same_clip_only():
    p = Project("p", timeline=EditTimeline())
    first = driven_layer("transfer_body", 0, 9, TransferBodyParams(1.0), {"driving_clip": "clip2"}, "a")
    other = driven_layer("transfer_body", 0, 9, TransferBodyParams(1.0), {"driving_clip": "clip3"}, "b")
    again = driven_layer("transfer_body", 0, 19, TransferBodyParams(1.0), {"driving_clip": "clip2"}, "c")
    p = with_driven_layer(with_driven_layer(with_driven_layer(p, first), other), again)
    assert [(ly.name, ly.end) for ly in p.timeline.layers] == [("b", 9), ("c", 19)]
    assert again.keyframes == {0: TransferBodyParams(1.0)} and again.interpolation.value == "hold"
