"""Undoable document changes. Each command computes the new timeline with the pure
`render_core.edits` API and swaps whole immutable timelines on redo/undo, so undo restores the
exact previous document (no inverse math here)."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from render_core.edits.layer import EditLayer
from render_core.edits.timeline import EditTimeline

MERGE_SET_PARAM = 1001
MERGE_MOVE_KEY = 1002
MERGE_CHANGE_LAYER = 1003
MERGE_GESTURE = 1004


class TimelineCommand(QUndoCommand):
    """Replace the state's timeline with `after`; undo puts `before` back.

    `select` is the layer to select after redo (None keeps the selection); on undo the
    selection from before is restored.
    """

    def __init__(self, state, after: EditTimeline, text: str, select: str | None = None) -> None:
        super().__init__(text)
        self.state = state
        self.before = state.timeline
        self.after = after
        self.select_after = select
        self.select_before = state.selected_layer_id

    def redo(self) -> None:
        self.state.set_timeline(self.after)
        if self.select_after is not None:
            self.state.select_layer(self.select_after)

    def undo(self) -> None:
        self.state.set_timeline(self.before)
        self.state.select_layer(self.select_before)


class AddLayer(TimelineCommand):
    def __init__(self, state, layer: EditLayer, index: int | None = None) -> None:
        super().__init__(state, state.timeline.add_layer(layer, index), f"Add {layer.name} layer", layer.id)


class RemoveLayer(TimelineCommand):
    def __init__(self, state, layer_id: str) -> None:
        name = state.timeline.layer(layer_id).name
        super().__init__(state, state.timeline.remove_layer(layer_id), f"Remove {name} layer")

    def redo(self) -> None:
        super().redo()
        if self.state.selected_layer_id not in {ly.id for ly in self.after.layers}:
            self.state.select_layer(None)


class RenameLayer(TimelineCommand):
    def __init__(self, state, layer_id: str, name: str) -> None:
        super().__init__(state, state.timeline.update_layer(layer_id, name=name), f"Rename layer to {name}")


class EnableLayer(TimelineCommand):
    def __init__(self, state, layer_id: str, enabled: bool) -> None:
        verb = "Enable" if enabled else "Disable"
        name = state.timeline.layer(layer_id).name
        super().__init__(state, state.timeline.update_layer(layer_id, enabled=enabled), f"{verb} {name}")


class ReorderLayer(TimelineCommand):
    def __init__(self, state, layer_id: str, new_index: int) -> None:
        super().__init__(state, state.timeline.move_layer(layer_id, new_index), "Reorder layers")


class UpdateLayer(TimelineCommand):
    """Frame range, interpolation, weight or settings of a layer."""

    def __init__(self, state, layer_id: str, text: str, **changes: Any) -> None:
        super().__init__(state, state.timeline.update_layer(layer_id, **changes), text)


class ChangeLayer(TimelineCommand):
    """A layer replaced by a changed copy: trimmed, moved in time, its driving offset set.
    Steps with the same `gesture` (one drag, one spin box's changes) merge into one undo step."""

    def __init__(self, state, layer: EditLayer, text: str, gesture: object = None) -> None:
        super().__init__(state, state.timeline.replace_layer(layer), text)
        self.layer_id, self.gesture = layer.id, gesture

    def id(self) -> int:
        return MERGE_CHANGE_LAYER

    def mergeWith(self, other: QUndoCommand) -> bool:
        same = isinstance(other, ChangeLayer) and other.layer_id == self.layer_id
        if not same or self.gesture is None or other.gesture != self.gesture:
            return False
        self.after = other.after
        return True


class SetKeyframe(TimelineCommand):
    """Create or replace the keyframe at `frame` with `params` (whole params object)."""

    def __init__(self, state, layer_id: str, frame: int, params: Any, text: str = "") -> None:
        after = state.timeline.set_keyframe(layer_id, frame, params)
        super().__init__(state, after, text or f"Set keyframe at {frame}")
        self.key = (layer_id, frame)


class SetParam(SetKeyframe):
    """One parameter changed at the playhead: creates/updates that frame's keyframe.
    Consecutive changes of the same field at the same key merge (a slider drag is one step)."""

    def __init__(self, state, layer_id: str, frame: int, params: Any, field_name: str) -> None:
        super().__init__(state, layer_id, frame, params, f"Change {field_name} at {frame}")
        self.field_name = field_name

    def id(self) -> int:
        return MERGE_SET_PARAM

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetParam) or (other.key, other.field_name) != (self.key, self.field_name):
            return False
        self.after = other.after
        return True


class GestureEdit(TimelineCommand):
    """One step of a pointer gesture in the viewer (a drag orbiting the camera, wheel notches
    dollying it): `after` is the timeline the gesture so far makes from where it started, so
    the steps of one `gesture` merge into one undo step that undoes the whole gesture, a layer
    it had to add included."""

    def __init__(self, state, after: EditTimeline, text: str, gesture: object, select: str | None = None):
        super().__init__(state, after, text, select)
        self.gesture = gesture

    def id(self) -> int:
        return MERGE_GESTURE

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, GestureEdit) or other.gesture != self.gesture:
            return False
        self.after = other.after
        return True


class DeleteKeyframe(TimelineCommand):
    def __init__(self, state, layer_id: str, frame: int) -> None:
        super().__init__(
            state, state.timeline.remove_keyframe(layer_id, frame), f"Delete keyframe at {frame}"
        )


class MoveKeyframe(TimelineCommand):
    """Move a keyframe; a drag's intermediate moves merge into one undo step."""

    def __init__(self, state, layer_id: str, old: int, new: int) -> None:
        super().__init__(
            state, state.timeline.move_keyframe(layer_id, old, new), f"Move keyframe {old} -> {new}"
        )
        self.layer_id, self.old, self.new = layer_id, old, new

    def id(self) -> int:
        return MERGE_MOVE_KEY

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, MoveKeyframe) or other.layer_id != self.layer_id or other.old != self.new:
            return False
        self.after, self.new = other.after, other.new
        self.setText(f"Move keyframe {self.old} -> {self.new}")
        return True


class UseModel(QUndoCommand):
    """Make a trained model the project's renderer: adds its `ModelRef` to the project (if
    new) and selects it; "warp" (ref None) goes back to the classical renderer."""

    def __init__(self, state, ref=None) -> None:
        name = ref.id if ref is not None else "warp"
        super().__init__(f"Use renderer {name}")
        self.state = state
        self.before = (state.project, state.renderer)
        self.after = (state.project.with_model(ref) if ref is not None else state.project, name)

    def redo(self) -> None:
        self.state.set_project(self.after[0])
        self.state.set_renderer(self.after[1])

    def undo(self) -> None:
        self.state.set_project(self.before[0])
        self.state.set_renderer(self.before[1])


class SetDrivingClip(QUndoCommand):
    """Point a reenact_face / transfer_body layer at a driving clip, adding the clip to the
    project's driving clips (and ending the layer at `end` when given: where the performance
    ends); undo restores both the project and the timeline."""

    def __init__(self, state, layer_id: str, clip_ref, settings: dict, end: int | None = None) -> None:
        super().__init__(f"Driving clip {clip_ref.path}")
        self.state = state
        self.before = (state.project, state.timeline)
        changes = {"settings": {**settings, "driving_clip": clip_ref.id}}
        timeline = state.timeline.update_layer(layer_id, **changes, **({} if end is None else {"end": end}))
        self.after = (state.project.with_clip(clip_ref, driving=True), timeline)

    def redo(self) -> None:
        self.state.set_project(self.after[0])
        self.state.set_timeline(self.after[1])

    def undo(self) -> None:
        self.state.set_project(self.before[0])
        self.state.set_timeline(self.before[1])


def mark_command(state, which: str) -> TimelineCommand:
    """Undoable in/out marks: "in" or "out" at the playhead, or "clear" to remove both."""
    tl, last = state.timeline, max(0, state.frame_count - 1)
    if which == "clear":
        return TimelineCommand(state, tl.without_marks(), "Clear in/out")
    return TimelineCommand(state, tl.with_mark(which, state.frame, last), f"Mark {which}")
