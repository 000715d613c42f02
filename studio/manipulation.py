"""Direct manipulation in the viewer -> keyframes at the playhead, through undo commands.

- Drag a body joint: the rotation of its parent joint that turns it toward the drop point
  becomes (added to) a body_pose keyframe; bone lengths stay exact because the edit is the
  core's forward kinematics (`edits.body_ops.apply_body_pose`). A new layer spans the frames
  where the person faces as at the playhead (`edits.body_facing`): the same angles would
  bend a turned body the other way.
- Drag an iris: the gaze offset that puts that iris (as the edits show it) at the drop point,
  found by a few Gauss-Newton steps on the core's forward edit (`edits.handles`).
- Wheel over the face: steps the selected expression control of the selected layer.

The inverses themselves live in `render_core.edits.inverse` (the studio holds no math).
Convention: points are frame px (x right, y down); angles in degrees (params units).
"""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
from PySide6.QtCore import QObject, QPointF, Signal

from render_core.edits import body_ops
from render_core.edits.body_facing import facing_run
from render_core.edits.handles import gaze_for_iris
from render_core.edits.inverse import driving_param, joint_rotation_delta
from render_core.edits.layer import EditLayer
from render_core.edits.params import clamp
from studio import commands as C
from studio.inspector import params_at
from studio.state import AppState

WHEEL_STEP = 0.05  # of the control's full range per wheel notch


class Manipulator(QObject):
    failed = Signal(str, str)
    message = Signal(str)  # status bar text

    def __init__(self, state: AppState, inspector, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.inspector = inspector

    def _layer_of_kind(self, kind: str, span: tuple[int, int] | None = None) -> EditLayer:
        """The selected layer if it is of `kind`, else the topmost one, else a new one (over
        `span`, inclusive frames, when given; else the whole clip)."""
        sel = self.state.selected_layer
        if sel is not None and sel.kind == kind:
            return sel
        for layer in reversed(self.state.timeline.layers):
            if layer.kind == kind:
                self.state.select_layer(layer.id)
                return layer
        layer = self.inspector.add_layer(kind, span)
        if span is not None and span != (0, self.state.frame_count - 1):
            self.message.emit(
                f"New {kind.replace('_', ' ')} layer over frames {span[0]}-{span[1]}, where the person"
                " faces as at this frame (drag its ends to change)"
            )
        return layer

    def drag_joint(self, joint: int, target: QPointF) -> None:
        body = self.state.tracks.body if self.state.tracks else None
        name = driving_param(joint)
        t = self.state.frame
        if body is None or name is None or t >= len(body) or not body.valid[t]:
            return
        layer = self._layer_of_kind("body_pose", facing_run(body.joints, body.valid, t))
        current = params_at(layer, t)
        edited = body_ops.apply_body_pose(body.joints[t], current)
        delta = joint_rotation_delta(edited, joint, np.array([target.x(), target.y()]), name)
        params = clamp(replace(current, **{name: getattr(current, name) + delta}))
        self.state.undo_stack.push(C.SetKeyframe(self.state, layer.id, t, params, f"Pose {name} at {t}"))

    def drag_gaze(self, iris: int, target: QPointF) -> None:
        """Iris `iris` (0 subject's left, 1 right) dropped at `target`: the gaze keyframe at the
        playhead that puts that iris there (as near as the gaze's bounds allow)."""
        tracks, t, info = self.state.tracks, self.state.frame, self.state.info
        face = tracks.face if tracks else None
        if face is None or t >= len(face) or not face.valid[t]:
            return
        layer = self._layer_of_kind("gaze")
        size, goal = (info.width, info.height), np.array([target.x(), target.y()])
        params = gaze_for_iris(tracks, t, size, self.state.timeline, iris, goal, params_at(layer, t))
        self.state.undo_stack.push(C.SetKeyframe(self.state, layer.id, t, params, f"Gaze at {t}"))

    def wheel_expression(self, steps: int) -> None:
        layer = self.state.selected_layer
        name = self.inspector.panel.selected_field
        if layer is None or layer.kind != "expression" or name is None:
            return
        spec = next(f for f in fields(layer.params_class) if f.name == name).metadata
        t = self.state.frame
        current = params_at(layer, t)
        value = getattr(current, name) + steps * WHEEL_STEP * (spec["max"] - spec["min"])
        params = clamp(replace(current, **{name: value}))
        self.state.undo_stack.push(C.SetParam(self.state, layer.id, t, params, name))
