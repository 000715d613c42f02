"""Undo commands over the immutable timeline: every change undoes exactly; drags merge."""

from __future__ import annotations

from fractions import Fraction

import pytest

from render_core.edits.layer import EditLayer
from render_core.edits.params import ExpressionParams
from render_core.edits.timeline import EditTimeline
from render_core.media.clip_info import ClipInfo
from studio import commands as C
from studio.state import AppState


@pytest.fixture
def state(qtbot):
    s = AppState()
    info = ClipInfo("clip.mp4", "h" * 16, 64, 48, 30, 1, 100, 100 / 30)
    s.load("clip.mp4", info, None, None, EditTimeline())
    assert s.fps == float(Fraction(30))
    return s


def test_add_set_param_undo_redo(state):
    layer = EditLayer(kind="expression", start=0, end=99)
    state.undo_stack.push(C.AddLayer(state, layer))
    assert state.selected_layer_id == layer.id and state.dirty
    state.undo_stack.push(C.SetParam(state, layer.id, 10, ExpressionParams(smile=0.2), "smile"))
    state.undo_stack.push(C.SetParam(state, layer.id, 10, ExpressionParams(smile=0.6), "smile"))
    assert state.undo_stack.count() == 2  # the slider drag merged into one step
    assert state.timeline.layer(layer.id).keyframes[10].smile == 0.6
    state.undo_stack.undo()
    assert state.timeline.layer(layer.id).keyframes == {}
    state.undo_stack.undo()
    assert state.timeline.layers == () and state.selected_layer_id is None and not state.dirty
    state.undo_stack.redo()
    state.undo_stack.redo()
    assert state.timeline.layer(layer.id).keyframes[10].smile == 0.6


def test_layer_structure_commands(state):
    a, b = EditLayer(kind="expression", start=0, end=9), EditLayer(kind="gaze", start=0, end=9)
    for layer in (a, b):
        state.undo_stack.push(C.AddLayer(state, layer))
    state.undo_stack.push(C.RenameLayer(state, a.id, "mouth"))
    state.undo_stack.push(C.EnableLayer(state, a.id, False))
    state.undo_stack.push(C.ReorderLayer(state, a.id, 1))
    assert [ly.id for ly in state.timeline.layers] == [b.id, a.id]
    assert state.timeline.layer(a.id).name == "mouth" and not state.timeline.layer(a.id).enabled
    state.undo_stack.push(C.RemoveLayer(state, a.id))
    assert [ly.id for ly in state.timeline.layers] == [b.id]
    for _ in range(4):
        state.undo_stack.undo()
    assert [(ly.id, ly.name, ly.enabled) for ly in state.timeline.layers] == [
        (a.id, "expression", True),
        (b.id, "gaze", True),
    ]


def test_keyframe_move_merges_and_delete(state):
    layer = EditLayer(kind="expression", start=0, end=99, keyframes={5: ExpressionParams(jaw_open=0.5)})
    state.undo_stack.push(C.AddLayer(state, layer))
    for old, new in ((5, 6), (6, 7), (7, 9)):
        state.undo_stack.push(C.MoveKeyframe(state, layer.id, old, new))
    assert state.undo_stack.count() == 2 and state.undo_stack.text(1) == "Move keyframe 5 -> 9"
    assert list(state.timeline.layer(layer.id).keyframes) == [9]
    state.undo_stack.push(C.DeleteKeyframe(state, layer.id, 9))
    assert state.timeline.layer(layer.id).keyframes == {}
    state.undo_stack.undo()
    state.undo_stack.undo()
    assert list(state.timeline.layer(layer.id).keyframes) == [5]


def test_signals_and_frame_clamp(state, qtbot):
    with qtbot.waitSignal(state.frame_changed) as sig:
        state.set_frame(500)
    assert sig.args == [99]
    with qtbot.waitSignal(state.timeline_changed):
        state.undo_stack.push(C.AddLayer(state, EditLayer(kind="gaze", start=0, end=9)))
