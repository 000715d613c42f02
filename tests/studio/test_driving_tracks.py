"""A driving clip is tracked as a job with progress, not inside the preview (which froze for
as long as tracking took): until its tracks arrive the layer's frames show unedited."""

from __future__ import annotations

from dataclasses import replace

from render_core.edits.layer import EditLayer
from render_core.edits.params import ReenactFaceParams
from render_core.jobs import null_context
from render_core.render.sources import track_for_render
from studio import commands as C
from studio.frame_source import FrameSource
from studio.jobs import Kind
from studio.render_bridge import PreviewPipeline


def test_preview_waits_for_driving_tracks_instead_of_tracking(opened, clip_path):
    st = opened.state
    ref = st.project.clips[0]  # the clip drives itself: any clip will do
    layer = EditLayer("reenact_face", 4, 20, {4: ReenactFaceParams(1.0)}, settings={"driving_clip": ref.id})
    snap = st.snapshot()
    timeline = snap.timeline.add_layer(layer)
    snap = replace(snap, timeline=timeline, project=replace(snap.project, timeline=timeline))
    pipe = PreviewPipeline(FrameSource())
    assert pipe.missing_driving(snap) == {ref.id: snap.project.clip_path(ref.id)}
    assert pipe(snap, 8, 1.0)[1] is None  # not tracked here: shown unedited
    streamed = {t: e for _, t, _, e in pipe.stream(snap, 0, 1.0)}
    assert all(e is None for e in streamed.values())
    pipe.add_driving(ref.id, track_for_render(clip_path, None, null_context()))
    assert pipe.missing_driving(snap) == {} and pipe(snap, 8, 1.0)[1] is not None
    streamed = {t: e for _, t, _, e in pipe.stream(snap, 0, 1.0)}
    assert [t for t, e in streamed.items() if e is not None] == list(range(4, 21))
    pipe.forget_driving()
    assert pipe.missing_driving(snap) == {ref.id: snap.project.clip_path(ref.id)}
    pipe.frames.close()


def test_choosing_a_driving_clip_tracks_it_as_a_job_then_renders(opened, qtbot, clip_with_audio):
    st, session, insp = opened.state, opened.session, opened.inspector
    heavy = []
    session.runner.job_started.connect(lambda j: heavy.append(j.name) if j.kind == Kind.HEAVY else None)
    layer = insp.add_layer("reenact_face")
    st.undo_stack.push(C.SetKeyframe(st, layer.id, 0, ReenactFaceParams(strength=1.0)))
    insp.choose_driving_clip(clip_with_audio)
    qtbot.waitUntil(lambda: "tracking talk_audio.mp4" in heavy, timeout=20_000)  # in the status bar
    qtbot.waitUntil(lambda: not session.driving_jobs, timeout=60_000)
    assert session.preview.render.missing_driving(st.snapshot()) == {}
    errors = []  # (a render asked for before the clip was chosen may still say it needs one)
    session.error.connect(lambda line, _details: errors.append(line))
    st.set_frame(6)
    viewer = opened.viewer
    qtbot.waitUntil(lambda: viewer.shown_frame == 6 and viewer.edited is not None, timeout=20_000)
    assert errors == []
