"""The frames a render flags (a renderer's per-frame notes over their threshold) are marked on
the timeline with what they mean, cleared when what made them changes, and announced once in
the status bar, as are the warnings of a renderer's `report()`."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from render_core.contract import FrameRequest, RenderedFrame
from render_core.edits.layer import EditLayer
from render_core.edits.params import ExpressionParams
from render_core.families.portrait.novelty import FACE_NOVELTY, UNSEEN_FACE
from render_core.render.warp_renderer import WarpRenderer
from render_core.warp.donors import NO_OPEN_MOUTH
from studio import commands as C
from studio.frame_marks import FrameMarks
from studio.preview import PreviewResult
from studio.render_bridge import RenderNotes
from studio.state import AppState
from studio.timeline_rows import FLAGGED, RULER_H

FLAGGED_FRAMES = (3, 4, 5)


class NotingRenderer:
    """Leaves the pixels as they are and notes a face novelty above the threshold on
    `flagged` frames, below it elsewhere."""

    name = "noting"
    temporal = False
    synthesizes = False
    kinds = WarpRenderer.kinds
    notes = (FACE_NOVELTY,)

    def __init__(self, flagged=FLAGGED_FRAMES) -> None:
        self.flagged, self.rendered = set(flagged), set()

    def reset(self) -> None:
        pass

    def render(self, request: FrameRequest) -> RenderedFrame:
        self.rendered.add(request.index)
        novelty = (2.0 if request.index in self.flagged else 0.5) * UNSEEN_FACE
        mask = np.zeros(request.frame.shape[:2], np.float32)
        return RenderedFrame(request.frame.copy(), mask, {"face_novelty": novelty})


class ReportingRenderer(NotingRenderer):
    """Flags no frame; reports what the clip lacks as the warp renderer does, one warning
    whose frame count grows as frames render."""

    def __init__(self) -> None:
        super().__init__(flagged=())

    def report(self) -> dict:
        n = len(self.rendered)
        damped = f"{n} frames turn the head further than the warp renderer can show (frames 0-{n - 1})"
        return {"warnings": [NO_OPEN_MOUTH, damped]}


def _preview_through(win, monkeypatch, renderer) -> list[str]:
    """Preview the open clip through `renderer` with an expression layer on frames 0-9;
    returns the status lines the frame marks announce from then on."""
    from render_core.render import registry

    monkeypatch.setattr(registry, "make_renderer", lambda *_args: renderer)
    notices: list[str] = []
    win.session.frame_marks.notice.connect(notices.append)
    st = win.state
    st.undo_stack.push(C.AddLayer(st, EditLayer("expression", 0, 9, {0: ExpressionParams(jaw_open=0.3)})))
    return notices


@pytest.fixture
def noting(opened, monkeypatch):
    """(window, the status lines announced) with the clip previewed through a NotingRenderer."""
    return opened, _preview_through(opened, monkeypatch, NotingRenderer())


def _preview(win, qtbot, frames) -> None:
    """Step the playhead over `frames`, waiting for each edited preview."""
    for f in frames:
        win.state.set_frame(f)
        qtbot.waitUntil(
            lambda f=f: win.viewer.shown_frame == f and win.viewer.edited is not None, timeout=10_000
        )


def _band_colour(win, frame: int) -> QColor:
    """The colour along the ruler's foot at `frame`, as the timeline paints it."""
    img = win.timeline.grab().toImage()
    x = int(round(win.timeline.frame_to_x(frame)))
    return img.pixelColor(x, RULER_H - 2)


def test_flagged_frames_are_marked_on_the_timeline_with_what_they_mean(noting, qtbot):
    win, notices = noting
    _preview(win, qtbot, range(0, 9))
    marks = win.session.frame_marks
    assert marks.flagged() == {"face_novelty": [3, 4, 5]} and marks.runs() == [(3, 5)]
    for f in (3, 4, 5):
        assert _band_colour(win, f) == FLAGGED
    for f in (1, 7):
        assert _band_colour(win, f) != FLAGGED
    tip = win.timeline.flag_tip_at(QPointF(win.timeline.frame_to_x(4), RULER_H - 2))
    assert tip.startswith("Frame 4: face novelty") and "training clip never shows (frames 3-5)" in tip
    assert win.timeline.flag_tip_at(QPointF(win.timeline.frame_to_x(7), RULER_H - 2)) is None
    assert len(notices) == 1  # said once, when the first flagged frame rendered
    assert (
        notices[0].startswith("1 of 4 frames ask the portrait model")
        and "marked on the timeline" in notices[0]
    )
    assert win.status.currentMessage() == notices[0]


def test_an_edit_clears_the_marks_and_they_come_back_as_frames_render(noting, qtbot):
    win, notices = noting
    st, marks = win.state, win.session.frame_marks
    _preview(win, qtbot, range(2, 7))
    assert marks.runs() == [(3, 5)]
    layer = st.timeline.layers[-1]
    st.undo_stack.push(C.SetKeyframe(st, layer.id, 6, ExpressionParams(smile=0.4)))
    assert marks.runs() == [] and _band_colour(win, 4) != FLAGGED  # made with the old edits
    _preview(win, qtbot, (4, 3))
    assert marks.runs() == [(3, 4)] and _band_colour(win, 4) == FLAGGED
    st.set_timeline(st.timeline.with_mark("in", 2, st.frame_count - 1))  # marks move no pixel
    assert marks.runs() == [(3, 4)]
    assert len(notices) == 1  # the same preview session: not said again


def test_playback_marks_the_flagged_frames_it_shows(noting, qtbot):
    win, _notices = noting
    shown: list[int] = []
    win.session.preview_ready.connect(lambda r: shown.append(r.frame) if r.edited is not None else None)
    win.state.set_frame(0)
    win.session.play()
    qtbot.waitUntil(lambda: win.state.frame >= 12, timeout=30_000)
    win.session.stop()
    expected = sorted({f for f in shown if f in FLAGGED_FRAMES})
    assert expected and win.session.frame_marks.flagged() == {"face_novelty": expected}


def test_report_warnings_show_once_per_session(opened, qtbot, monkeypatch):
    win = opened
    notices = _preview_through(win, monkeypatch, ReportingRenderer())
    _preview(win, qtbot, (1, 2, 3))
    assert len(notices) == 1 and NO_OPEN_MOUTH in notices[0] and "turn the head" in notices[0]
    assert "Warning: the clip never shows an open mouth" in win.status.currentMessage()
    assert win.session.frame_marks.runs() == []


def _result(state: AppState, frame: int, novelty: float, key: str = "model-a", source=None, warnings=()):
    source = source or SimpleNamespace(timeline=state.timeline, renderer=state.renderer, tracks=state.tracks)
    notes = RenderNotes(source, key, (FACE_NOVELTY,), {"face_novelty": novelty}, tuple(warnings))
    return PreviewResult(1, frame, QImage(), QImage(), 0.0, 0.0, notes)


def test_a_new_renderer_or_model_starts_a_new_session_and_old_renders_are_dropped(qtbot):
    state = AppState()
    marks = FrameMarks(state)
    notices: list[str] = []
    marks.notice.connect(notices.append)
    high = 3 * UNSEEN_FACE
    old = SimpleNamespace(timeline=state.timeline, renderer="warp", tracks=object())
    marks.add(_result(state, 2, high, source=old))  # rendered for other tracks: dropped
    assert marks.runs() == [] and notices == []
    for f in (2, 3, 7):
        marks.add(_result(state, f, high, warnings=[NO_OPEN_MOUTH]))
    assert marks.runs() == [(2, 3), (7, 7)] and len(notices) == 1
    assert "frames ask the portrait model" in notices[0] and NO_OPEN_MOUTH in notices[0]
    marks.add(_result(state, 9, high, key="model-a-retrained"))  # the model changed under it
    assert marks.runs() == [(9, 9)] and len(notices) == 2
    state.set_renderer("another-model")
    assert marks.runs() == []
    marks.add(_result(state, 4, high))
    assert marks.runs() == [(4, 4)] and len(notices) == 3
    assert marks.tooltip(5) is None and marks.tooltip(4).startswith("Frame 4: face novelty 0.45 (above 0.15)")
