"""Direct manipulation in the viewer -> keyframes at the playhead, through undo commands.

- Drag a body joint: the rotation of its parent joint that turns it toward the drop point
  becomes (added to) a body_pose keyframe; bone lengths stay exact because the edit is the
  core's forward kinematics (`edits.body_ops.apply_body_pose`).
- Drag from an iris: the gaze offset whose edited irises (core `edit_face`) land at the drop
  point, found by a few Gauss-Newton steps on that forward function.
- Wheel over the face: steps the selected expression control of the selected layer.

The inverses themselves live in `render_core.edits.inverse` (the studio holds no math).
Convention: points are frame px (x right, y down); angles in degrees (params units).
"""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
from PySide6.QtCore import QObject, QPointF, Signal

from render_core.edits import body_ops
from render_core.edits.inverse import driving_param, joint_rotation_delta, solve_gaze
from render_core.edits.layer import EditLayer
from render_core.edits.params import clamp
from studio import commands as C
from studio.inspector import params_at
from studio.state import AppState

WHEEL_STEP = 0.05  # of the control's full range per wheel notch


class Manipulator(QObject):
    failed = Signal(str, str)

    def __init__(self, state: AppState, inspector, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.inspector = inspector

    def _layer_of_kind(self, kind: str) -> EditLayer:
        """The selected layer if it is of `kind`, else the topmost one, else a new one."""
        sel = self.state.selected_layer
        if sel is not None and sel.kind == kind:
            return sel
        for layer in reversed(self.state.timeline.layers):
            if layer.kind == kind:
                self.state.select_layer(layer.id)
                return layer
        return self.inspector.add_layer(kind)

    def drag_joint(self, joint: int, target: QPointF) -> None:
        body = self.state.tracks.body if self.state.tracks else None
        name = driving_param(joint)
        t = self.state.frame
        if body is None or name is None or t >= len(body) or not body.valid[t]:
            return
        layer = self._layer_of_kind("body_pose")
        current = params_at(layer, t)
        edited = body_ops.apply_body_pose(body.joints[t], current)
        delta = joint_rotation_delta(edited, joint, np.array([target.x(), target.y()]), name)
        params = clamp(replace(current, **{name: getattr(current, name) + delta}))
        self.state.undo_stack.push(C.SetKeyframe(self.state, layer.id, t, params, f"Pose {name} at {t}"))

    def drag_gaze(self, target: QPointF) -> None:
        face = self.state.tracks.face if self.state.tracks else None
        t = self.state.frame
        if face is None or t >= len(face) or not face.valid[t]:
            return
        layer = self._layer_of_kind("gaze")
        forward = self._gaze_forward(t)
        params = solve_gaze(forward, np.array([target.x(), target.y()]), params_at(layer, t))
        self.state.undo_stack.push(C.SetKeyframe(self.state, layer.id, t, params, f"Gaze at {t}"))

    def _gaze_forward(self, t: int):
        """GazeParams -> mean edited iris px at frame t, with the frame's other face edits on."""
        from render_core.edits.face_ops import edit_face
        from render_core.states import FaceState
        from render_core.tracking.head_pose import principal_point

        f, info = self.state.tracks.face, self.state.info
        state = FaceState(
            f.landmarks[t], f.head_pose[t], f.iris[t], f.focal, principal_point(info.width, info.height)
        )
        others = {k: v for k, v in self.state.timeline.evaluate(t).items() if k != "gaze"}
        return (
            lambda g: edit_face(state, f.neutral, {**others, "gaze": g}).iris.mean(axis=0).astype(np.float64)
        )

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
