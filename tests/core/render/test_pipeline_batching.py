"""Export renders ahead for a batching renderer: frames come out in order and equal to one at a
time, a batch never spans a break in the edits, and the sequence resets after its last batch."""

from __future__ import annotations

import numpy as np

from render_core.edits.layer import EditLayer
from render_core.edits.params import ExpressionParams
from render_core.edits.timeline import EditTimeline
from render_core.jobs import null_context
from render_core.media.decode import VideoReader
from render_core.project.io import new_project
from render_core.render.frame_renderer import FrameRenderer
from render_core.render.sources import load_sources
from tests.core.render.recording import RecordingRenderer


def test_batched_frames_come_out_in_order_and_equal_single_frames(small_talking_head, tmp_path):
    project = new_project(tmp_path / "p", small_talking_head)
    smile = {2: ExpressionParams(jaw_open=0.6, smile=0.5)}
    timeline = (
        EditTimeline()
        .add_layer(EditLayer("expression", 2, 6, smile))
        .add_layer(EditLayer("expression", 9, 11, {9: ExpressionParams(jaw_open=0.6, smile=0.5)}))
    )
    sources = load_sources(project.with_timeline(timeline), null_context())
    with VideoReader(project.clip_path("clip1")) as r:
        frames = [f for _, f in r.frames(0, 14)]
    outputs = {}
    for size in (1, 3):
        renderer = RecordingRenderer(size)
        fr = FrameRenderer(sources, timeline, renderer, 25.0)
        out, lag = [], []
        for t, f in enumerate(frames):
            done = fr.push(t, f)
            out.extend(done)
            lag.append(t + 1 - len(out))
        out.extend(fr.flush())
        outputs[size] = (out, renderer.events, max(lag))
    single, batched = outputs[1][0], outputs[3][0]
    assert len(batched) == len(frames)
    for a, b in zip(single, batched, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(batched[4], frames[4]) and np.array_equal(batched[8], frames[8])
    assert outputs[3][1] == [[2, 3, 4], [5, 6], "reset", [9, 10, 11], "reset"]
    assert outputs[1][1] == [[2], [3], [4], [5], [6], "reset", [9], [10], [11], "reset"]
    assert outputs[3][2] <= 3 and outputs[1][2] == 0  # frames wait at most one batch


def test_abandon_drops_queued_frames_and_starts_a_new_sequence(small_talking_head, tmp_path):
    project = new_project(tmp_path / "p", small_talking_head)
    timeline = EditTimeline().add_layer(EditLayer("expression", 0, 9, {0: ExpressionParams(smile=0.6)}))
    sources = load_sources(project.with_timeline(timeline), null_context())
    with VideoReader(project.clip_path("clip1")) as r:
        frames = [f for _, f in r.frames(0, 6)]
    renderer = RecordingRenderer(3)
    fr = FrameRenderer(sources, timeline, renderer, 25.0)
    assert fr.push(0, frames[0]) == [] and fr.push(1, frames[1]) == []  # queued, not rendered
    fr.abandon()
    assert renderer.events == ["reset"] and fr.flush() == []  # dropped, never rendered
    out = fr.push(1, frames[1]) + fr.push(2, frames[2]) + fr.push(3, frames[3])
    assert renderer.events == ["reset", [1, 2, 3]] and len(out) == 3
    fresh = FrameRenderer(sources, timeline, RecordingRenderer(3), 25.0)
    again = fresh.push(1, frames[1]) + fresh.push(2, frames[2]) + fresh.push(3, frames[3])
    for a, b in zip(out, again, strict=True):
        np.testing.assert_array_equal(a, b)  # as if the abandoned frames had never been queued
