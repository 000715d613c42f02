"""Playback renders ahead: the preview pipeline streams frames through the renderer's batches,
a bounded buffer holds them until their time, and a producer slower than the clock skips
ahead so that what it renders arrives on time."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from render_core.edits.layer import EditLayer
from render_core.edits.params import ExpressionParams
from render_core.edits.timeline import EditTimeline
from studio.frame_source import FrameSource
from studio.jobs import Kind
from studio.playback import CatchUp, PlaybackBuffer
from studio.render_bridge import PreviewPipeline
from tests.core.render.recording import RecordingRenderer


def test_buffer_shows_the_newest_due_frame_and_makes_the_producer_wait():
    buf = PlaybackBuffer(capacity=3)
    for t in (4, 5, 6):
        assert buf.put(t, f"frame {t}")
    assert not buf.put(7, "frame 7", cancelled=lambda: True)  # full: waits, and gives up
    assert buf.take(3) is None and len(buf) == 3  # nothing due yet
    assert buf.take(5) == (5, "frame 5") and len(buf) == 1  # frame 4's time has passed: dropped
    assert buf.take(None) == (6, "frame 6") and buf.take(None) is None

    buf = PlaybackBuffer(capacity=1)
    buf.put(0, "a")
    got = []
    producer = threading.Thread(target=lambda: got.append(buf.put(1, "b")))
    producer.start()
    time.sleep(0.2)
    assert producer.is_alive() and not got  # waiting for room
    assert buf.take(0) == (0, "a")
    producer.join(2)
    assert got == [True] and buf.take(1) == (1, "b")


def test_catch_up_goes_on_where_the_next_batch_arrives_on_time():
    buf = PlaybackBuffer()
    catch_up = CatchUp(buf, fps=30.0)
    assert catch_up(0) == 0  # pre-roll: the clock starts with the first frame
    catch_up.busy(0.2)  # the last batch took 0.2 s: the clock moves 6 frames meanwhile
    buf.clock = 10
    assert catch_up(9) == 10 + 1 + 6 and catch_up.skipped == 8
    catch_up.busy(0.2)
    assert catch_up(40) == 40 and catch_up.skipped == 8  # far enough ahead


@pytest.fixture
def edited_snapshot(opened):
    """The small clip's snapshot with smiles on frames 2-6 and 9-11."""
    smile = ExpressionParams(jaw_open=0.6, smile=0.5)
    timeline = (
        EditTimeline()
        .add_layer(EditLayer("expression", 2, 6, {2: smile}))
        .add_layer(EditLayer("expression", 9, 11, {9: smile}))
    )
    snap = opened.state.snapshot()
    return replace(snap, timeline=timeline, project=replace(snap.project, timeline=timeline))


def test_stream_renders_in_batches_in_order_as_single_frames_would(edited_snapshot, monkeypatch):
    from render_core.render import registry

    recording = RecordingRenderer(3)
    monkeypatch.setattr(registry, "make_renderer", lambda *_args: recording)
    pipe = PreviewPipeline(FrameSource())
    snap, n = edited_snapshot, edited_snapshot.info.frame_count
    frames = list(pipe.stream(snap, 0, 1.0))
    assert [(p, t) for p, t, _, _ in frames] == [(t, t) for t in range(n)]
    assert [t for _, t, _, e in frames if e is not None] == [2, 3, 4, 5, 6, 9, 10, 11]
    assert recording.events == [[2, 3, 4], [5, 6], "reset", [9, 10, 11], "reset"]
    for _, t, original, edited in frames[:13]:
        single_original, single = pipe(snap, t, 1.0)
        np.testing.assert_array_equal(original, single_original)
        if edited is None:
            assert single is None
        else:
            np.testing.assert_array_equal(edited, single)

    late = [t for _, t, _, _ in pipe.stream(snap, 0, 1.0, catch_up=lambda p: max(p, 5))]
    assert late == list(range(5, n))  # went on from where the catch-up said

    recording.events.clear()
    looped = pipe.stream(snap, 4, 1.0, loop=(2, 6))
    order = [next(looped)[:2] for _ in range(12)]
    looped.close()
    assert order == list(enumerate([4, 5, 6, 2, 3, 4, 5, 6, 2, 3, 4, 5]))
    assert recording.events[:3] == [[4, 5, 6], "reset", [2, 3, 4]]  # the wrap starts a new sequence

    recording.events.clear()
    partial = pipe.stream(snap, 2, 1.0)
    _, t, _, first = next(partial)
    partial.close()  # stopped with frames 3 and 4 still in the renderer's hands
    assert t == 2 and first is not None and recording.events == [[2, 3, 4], "reset"]
    _, again = pipe(snap, 2, 1.0)
    np.testing.assert_array_equal(again, first)  # a clean new sequence afterwards
    pipe.frames.close()


def test_playback_streams_every_frame_in_order_and_restarts_on_an_edit(opened, qtbot):
    st, session, insp = opened.state, opened.session, opened.inspector
    layer = insp.add_layer("expression")
    insp.panel.rows["jaw_open"].spin.setValue(0.7)
    starts, shown = [], []
    session.runner.job_started.connect(lambda j: starts.append(j.name) if j.kind == Kind.PLAYBACK else None)
    session.preview_ready.connect(lambda r: shown.append((r.frame, r.edited is not None)))
    st.set_frame(0)
    session.play()
    qtbot.waitUntil(lambda: st.frame >= 8, timeout=20_000)
    insp.panel.rows["smile"].spin.setValue(0.5)  # an edit while playing: render on from here
    assert st.timeline.layer(layer.id).keyframes[st.frame].smile == 0.5
    qtbot.waitUntil(lambda: not session.playing, timeout=60_000)
    frames = [f for f, _ in shown]
    assert frames == sorted(frames) and frames[-1] == st.frame_count - 1
    assert len(frames) - len(set(frames)) <= 1  # only the frame the edit was made on shows again
    assert all(edited for _, edited in shown)
    assert len(frames) >= 0.6 * st.frame_count  # the warp renderer keeps up on the small clip
    assert len(starts) == 2 and starts[0] == "playback from 0" and int(starts[1].split()[-1]) >= 8
    assert session.stream.job is None or not session.stream.active


class SlowPipeline:
    """Frames in batches of 4 that each take twice their playing time; records what it made."""

    def __init__(self, inner: PreviewPipeline, fps: float) -> None:
        self.inner, self.batch_seconds, self.made = inner, 2 * 4 / fps, []

    def __call__(self, snapshot, frame, scale):
        return self.inner(snapshot, frame, scale)

    def stream(self, snapshot, start, scale, catch_up, loop=None):
        end, p = snapshot.info.frame_count - start, 0
        image = self.inner(snapshot, 0, scale)[0]
        while p < end:
            p = max(p, min(end - 1, catch_up(p)))
            time.sleep(self.batch_seconds)
            for q in range(p, min(end, p + 4)):
                self.made.append(start + q)
                yield q, start + q, image, None
            p += 4


def test_slow_playback_keeps_real_time_by_skipping_ahead(opened, qtbot):
    st, session = opened.state, opened.session
    slow = SlowPipeline(session.preview.render, st.fps)
    session.stream.pipeline = slow
    shown = []
    session.preview_ready.connect(lambda r: shown.append(r.frame))
    st.set_frame(0)
    start = time.perf_counter()
    session.play()
    qtbot.waitUntil(lambda: not session.playing, timeout=60_000)
    took = time.perf_counter() - start
    assert shown == sorted(set(shown)) and shown[-1] == st.frame_count - 1
    assert took < st.frame_count / st.fps + 2.0  # real time (+ pre-roll), not half speed
    assert session.stream.catch_up.skipped > 0 and len(slow.made) < st.frame_count
    assert len(shown) >= 0.5 * len(slow.made)  # what was rendered arrived in time to be shown


def test_a_preview_after_an_edit_starts_a_new_sequence(edited_snapshot, monkeypatch):
    """The next frame after an edit must not continue a window made with the old edits."""
    from render_core.render import registry

    recording = RecordingRenderer(1)
    monkeypatch.setattr(registry, "make_renderer", lambda *_args: recording)
    pipe = PreviewPipeline(FrameSource())
    snap = edited_snapshot
    pipe(snap, 3, 1.0)
    pipe(snap, 4, 1.0)  # follows frame 3 under the same edits: one sequence
    assert recording.events == [[3], [4]]
    changed = snap.timeline.add_layer(EditLayer("expression", 5, 6, {5: ExpressionParams(smile=-0.4)}))
    pipe(replace(snap, timeline=changed), 5, 1.0)
    assert recording.events == [[3], [4], "reset", [5]]
    pipe.frames.close()


def test_marks_set_the_loop_and_the_export_range(opened, qtbot):
    from studio import dialogs

    st, session, acts = opened.state, opened.session, opened.acts
    st.set_frame(10)
    acts["mark_in"].trigger()
    st.set_frame(21)
    acts["mark_out"].trigger()
    assert st.timeline.in_out == (10, 21) and st.dirty
    dialogs.show_export(opened)
    dlg = opened.export_dialog
    assert (dlg.start_frame.value(), dlg.stop_frame.value()) == (10, 22)  # export the marked range

    shown = []
    session.preview_ready.connect(lambda r: shown.append(r.frame))
    acts["loop"].setChecked(True)
    st.set_frame(30)  # outside the marks: playing starts at the in
    session.play()
    qtbot.waitUntil(lambda: len(shown) >= 30, timeout=30_000)
    acts["mark_out"].trigger()  # moving a mark while looping takes effect at once
    assert st.timeline.in_out[0] == 10
    qtbot.wait(300)
    session.stop()
    wrap = next(i for i in range(1, len(shown)) if shown[i] < shown[i - 1])
    assert shown[0] == 10 and shown[:wrap] == sorted(set(shown[:wrap]))  # from the in, onwards
    # past the loop's middle, then around to the in again (playback skips frames to keep time on
    # a loaded machine: the last one before the out mark can be a few frames short of it)
    assert shown[wrap - 1] >= 15 and shown[wrap] <= 12
    assert set(shown) <= set(range(10, 22))
    acts["go_out"].trigger()
    assert st.frame == st.timeline.in_out[1]
    acts["go_in"].trigger()
    assert st.frame == 10
    st.undo_stack.undo()  # the out mark moved back
    assert st.timeline.in_out == (10, 21)
    acts["mark_clear"].trigger()
    assert st.timeline.in_out is None
    acts["go_out"].trigger()
    assert st.frame == st.frame_count - 1
