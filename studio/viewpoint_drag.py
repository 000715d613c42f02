"""Orbiting the camera from the viewer: a drag or the wheel -> a viewpoint keyframe at the
playhead, as one undo step per gesture (`commands.GestureEdit`).

The subject turns with the pointer, as in a 3D viewport's orbit: a drag to the right swings
the camera to its left about the subject (azimuth, `orbit_yaw` down), a drag down raises it
over the subject (elevation, `orbit_pitch` up); a drag across the viewer's width is
`ORBIT_DEG_ACROSS` degrees either way. Shift+drag down, or the wheel turned toward the user,
dollies away (`distance` up). Values stay in the params' bounds (`params.clamp`): an orbit
stops at +-180 degrees instead of wrapping, so keys never interpolate the long way round.

A drag applies to the selected viewpoint layer when it covers the playhead, else to the
topmost one that does, else to a new layer over the whole path (in the same undo step).
Convention: drags arrive as fractions of the viewer's width (x right, y down).
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from render_core.edits.layer import EditLayer
from render_core.edits.params import ViewpointParams, clamp
from render_core.edits.timeline import EditTimeline
from studio import commands as C
from studio.inspector import missing_model_note, params_at
from studio.state import AppState

KIND = "viewpoint"
ORBIT_DEG_ACROSS = 180.0  # degrees of orbit for a drag across the viewer's width
DOLLY_PCT_ACROSS = 100.0  # % of the camera's distance for a Shift+drag as long as the viewer is wide
WHEEL_DOLLY_PCT = 5.0  # % per wheel notch


def orbits_camera(state: AppState) -> bool:
    """Whether a left-drag in the viewer orbits the camera: an image set is open, or a
    viewpoint layer is selected."""
    sel = state.selected_layer if state.is_open else None
    return state.is_open and (state.image_set is not None or (sel is not None and sel.kind == KIND))


def dragged_params(base: ViewpointParams, fx: float, fy: float, dolly: bool) -> ViewpointParams:
    """`base` moved by a drag of (fx, fy) viewer widths: an orbit, or with `dolly` a dolly."""
    if dolly:
        return clamp(replace(base, distance=base.distance + DOLLY_PCT_ACROSS * fy))
    yaw = base.orbit_yaw - ORBIT_DEG_ACROSS * fx
    pitch = base.orbit_pitch + ORBIT_DEG_ACROSS * fy
    return clamp(replace(base, orbit_yaw=yaw, orbit_pitch=pitch))


def layer_for_drag(state: AppState) -> tuple[EditLayer, EditTimeline]:
    """(the viewpoint layer a gesture at the playhead keys, the timeline holding it): an
    existing one covering the playhead, else a new one over every frame."""
    t, sel = state.frame, state.selected_layer
    if sel is not None and sel.kind == KIND and sel.covers(t):
        return sel, state.timeline
    for layer in reversed(state.timeline.layers):
        if layer.kind == KIND and layer.covers(t):
            return layer, state.timeline
    layer = EditLayer(kind=KIND, start=0, end=max(0, state.frame_count - 1))
    return layer, state.timeline.add_layer(layer)


class ViewpointDrag(QObject):
    """Turns the viewer's orbit gestures into viewpoint keyframes on the state's undo stack."""

    message = Signal(str)  # status bar text

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._ids = itertools.count(1)
        self._drag: tuple[int, EditLayer, EditTimeline, ViewpointParams] | None = None

    def drag(self, fx: float, fy: float, dolly: bool) -> None:
        """The drag so far (fractions of the viewer's width from where it started)."""
        st = self.state
        if not st.is_open:
            return
        if self._drag is None:
            layer, start = layer_for_drag(st)
            self._drag = (next(self._ids), layer, start, params_at(layer, st.frame))
            if (note := missing_model_note(st, layer)) is not None:
                self.message.emit(note)
        gesture, layer, start, base = self._drag
        params = dragged_params(base, fx, fy, dolly)
        what = "Dolly" if dolly else "Orbit"
        after = start.set_keyframe(layer.id, st.frame, params)
        st.undo_stack.push(C.GestureEdit(st, after, f"{what} camera at {st.frame}", gesture, layer.id))

    def end(self) -> None:
        """The button was released: the next drag is a new undo step."""
        self._drag = None

    def wheel(self, steps: int) -> None:
        """`steps` wheel notches (+ away from the user): dolly in; notches in a row at one key
        are one undo step, as a slider's changes are."""
        st = self.state
        if not st.is_open or steps == 0:
            return
        layer, start = layer_for_drag(st)
        base = params_at(layer, st.frame)
        params = clamp(replace(base, distance=base.distance - steps * WHEEL_DOLLY_PCT))
        after = start.set_keyframe(layer.id, st.frame, params)
        text = f"Dolly camera at {st.frame}"
        st.undo_stack.push(C.GestureEdit(st, after, text, ("wheel", layer.id, st.frame), layer.id))
