"""The inspector: the edit layers (add, remove, enable, reorder, rename) and the selected
layer's parameters at the playhead. Every change is an undo command on the state's stack."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from render_core.edits.keyframes import Interpolation
from render_core.edits.layer import EditLayer
from render_core.edits.params import PARAMS
from render_core.edits.settings import DRIVEN_KINDS
from studio import commands as C
from studio.jobs import JobRunner, Kind
from studio.param_panel import ParamPanel
from studio.state import AppState


def params_at(layer: EditLayer, frame: int):
    """What the panel shows: the keyframe at `frame`, else the interpolated value, else zeros
    (a disabled layer shows and edits its keys too)."""
    return layer.keyed_at(frame)


def missing_model_note(state: AppState, layer: EditLayer | None) -> str | None:
    """Why a layer's keys change nothing, or None: the project's renderer does not draw the
    layer's kind (a viewpoint layer needs a novel-view model; the warp renderer and the face and
    body models cannot move the camera)."""
    from render_core.render.registry import renderer_kinds

    if layer is None or state.project is None or layer.kind in renderer_kinds(state.project, state.renderer):
        return None
    what = "a novel-view model" if layer.kind == "viewpoint" else "a renderer that draws them"
    return (
        f"{layer.kind.replace('_', ' ').capitalize()} edits need {what} as the renderer; with the "
        f"current one ({state.renderer}) these keys change nothing yet."
    )


class Inspector(QWidget):
    notice = Signal(str)  # a status-bar line: an edit that cannot show yet

    def __init__(
        self, state: AppState, runner: JobRunner | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.runner = runner
        self._filling = False
        self.layers = QListWidget()
        self.layers.setDragDropMode(QListWidget.DragDropMode.InternalMove)
        self.layers.model().rowsMoved.connect(self._rows_moved)
        self.layers.currentItemChanged.connect(self._current_changed)
        self.layers.itemChanged.connect(self._item_changed)
        self.add_button = QPushButton("Add layer")
        self.add_menu = QMenu(self)
        for kind in PARAMS:
            self.add_menu.addAction(kind.replace("_", " "), lambda k=kind: self.add_layer(k))
        self.add_button.setMenu(self.add_menu)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button, self.down_button = QPushButton("Up"), QPushButton("Down")
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(+1))
        self.interp = QComboBox()
        self.interp.addItems([m.value for m in Interpolation])
        self.interp.activated.connect(self._interp_changed)
        self.key_label = QLabel()
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color: #e6a03c")
        self.driving_label = QLabel()
        self.driving_button = QPushButton("Driving clip...")
        self.driving_button.clicked.connect(self._choose_driving_dialog)
        self.start_spin, self.end_spin, self.offset_spin = QSpinBox(), QSpinBox(), QSpinBox()
        self.start_spin.setToolTip("First frame the layer acts on (or drag the bar's left end)")
        self.end_spin.setToolTip("Last frame the layer acts on (or drag the bar's right end)")
        self.offset_spin.setToolTip("The driving clip's frame that plays at the layer's first frame")
        self.start_spin.valueChanged.connect(lambda v: self._retime("start", v))
        self.end_spin.valueChanged.connect(lambda v: self._retime("end", v))
        self.offset_spin.valueChanged.connect(self._offset_changed)
        self.panel = ParamPanel()
        self.panel.value_changed.connect(self.set_param)
        self._layout()
        state.timeline_changed.connect(self.refresh)
        state.selection_changed.connect(lambda _id: self.refresh())
        state.frame_changed.connect(lambda _f: self._refresh_params())
        state.clip_changed.connect(self.refresh)
        state.renderer_changed.connect(lambda _r: self._refresh_params())
        self.refresh()

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        row = QHBoxLayout()
        row.addWidget(QLabel("Interpolation"))
        row.addWidget(self.interp, 1)
        v = QVBoxLayout(self)
        v.addWidget(QLabel("<b>Layers</b>"))
        v.addWidget(self.layers, 1)
        v.addLayout(buttons)
        v.addWidget(QLabel("<b>Parameters at playhead</b>"))
        v.addWidget(self.key_label)
        v.addWidget(self.note_label)
        v.addLayout(row)
        frames = QHBoxLayout()
        frames.addWidget(QLabel("Frames"))
        frames.addWidget(self.start_spin, 1)
        frames.addWidget(QLabel("to"))
        frames.addWidget(self.end_spin, 1)
        v.addLayout(frames)
        driving = QHBoxLayout()
        driving.addWidget(self.driving_label, 1)
        driving.addWidget(self.driving_button)
        v.addLayout(driving)
        offset = QHBoxLayout()
        self.offset_label = QLabel("Driving clip from its frame")
        offset.addWidget(self.offset_label)
        offset.addWidget(self.offset_spin, 1)
        v.addLayout(offset)
        v.addWidget(self.panel, 2)

    # -- model -> widgets ----------------------------------------------------------------
    def refresh(self) -> None:
        self._filling = True
        self.layers.clear()
        for layer in reversed(self.state.timeline.layers):  # topmost layer first, like an editor
            item = QListWidgetItem(layer.name)
            item.setData(Qt.ItemDataRole.UserRole, layer.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if layer.enabled else Qt.CheckState.Unchecked)
            item.setToolTip(
                f"{layer.kind}, frames {layer.start}-{layer.end}, {len(layer.keyframes)} keyframes"
            )
            self.layers.addItem(item)
            if layer.id == self.state.selected_layer_id:
                self.layers.setCurrentItem(item)
        self._filling = False
        self._refresh_params()

    def _refresh_params(self) -> None:
        layer = self.state.selected_layer
        enabled = layer is not None and self.state.is_open
        spins = (self.start_spin, self.end_spin)
        for w in (self.remove_button, self.up_button, self.down_button, self.interp, self.panel, *spins):
            w.setEnabled(enabled)
        self.add_button.setEnabled(self.state.is_open)
        is_driven = layer is not None and layer.kind in DRIVEN_KINDS
        for w in (self.driving_label, self.driving_button, self.offset_label, self.offset_spin):
            w.setVisible(is_driven)
        note = missing_model_note(self.state, layer)
        self.note_label.setText(note or "")
        self.note_label.setVisible(note is not None)
        if layer is None:
            self.panel.set_class(None)
            self.key_label.setText("Select or add a layer" if self.state.is_open else "Open a clip")
            self._show_range(0, max(0, self.state.frame_count - 1))  # the open clip's, not the last one's
            return
        self._show_timing(layer)
        if is_driven:
            cid = layer.settings.get("driving_clip")
            name = Path(self.state.project.clip(cid).path).name if cid else "none (choose one)"
            self.driving_label.setText(f"Driving clip: {name}")
        f = self.state.frame
        self.panel.set_class(layer.params_class)
        self.panel.show_params(params_at(layer, f))
        self.interp.setCurrentText(layer.interpolation.value)
        where = (
            "keyframe"
            if f in layer.keyframes
            else ("interpolated" if layer.keyframes else "no keyframes yet")
        )
        self.key_label.setText(f"{layer.name} @ frame {f}: {where}")

    def _show_range(self, start: int, end: int) -> None:
        last = max(0, self.state.frame_count - 1)
        for spin, value in ((self.start_spin, start), (self.end_spin, end)):
            spin.blockSignals(True)
            spin.setRange(0, last)
            spin.setValue(value)
            spin.blockSignals(False)

    def _show_timing(self, layer: EditLayer) -> None:
        """The layer's frame range and driving offset in the spin boxes (without echoing back)."""
        last = max(0, self.state.frame_count - 1)
        cid = layer.settings.get("driving_clip")
        info = self.state.project.clip(cid).info if cid else None
        driving_last = info.frame_count - 1 if info else 10**6
        values = (
            (self.start_spin, layer.start, last),
            (self.end_spin, layer.end, last),
            (self.offset_spin, int(layer.settings.get("offset", 0)), driving_last),
        )
        for spin, value, top in values:
            spin.blockSignals(True)
            spin.setRange(0, max(top, value))
            spin.setValue(value)
            spin.blockSignals(False)

    # -- widgets -> model (through commands) ---------------------------------------------
    def _retime(self, part: str, value: int) -> None:
        """A frame-range spin box changed: trim the layer (one undo step per spin box)."""
        layer = self.state.selected_layer
        if layer is None:
            return
        new = layer.trimmed(part, value)
        if (new.start, new.end) != (layer.start, layer.end):
            text = f"Trim {layer.name} {part}"
            self.state.undo_stack.push(C.ChangeLayer(self.state, new, text, (layer.id, part)))

    def _offset_changed(self, value: int) -> None:
        layer = self.state.selected_layer
        if layer is None or layer.kind not in DRIVEN_KINDS or layer.settings.get("offset", 0) == value:
            return
        new = layer.with_changes(settings={**layer.settings, "offset": int(value)})
        gesture = (layer.id, "offset")
        self.state.undo_stack.push(C.ChangeLayer(self.state, new, f"Driving offset of {layer.name}", gesture))

    def add_layer(self, kind: str, span: tuple[int, int] | None = None) -> EditLayer:
        """A new layer of `kind` over `span` (inclusive frames; the whole clip by default)."""
        start, end = span if span is not None else (0, max(0, self.state.frame_count - 1))
        layer = EditLayer(kind=kind, start=start, end=end)
        self.state.undo_stack.push(C.AddLayer(self.state, layer))
        self._tell_if_inert(layer)
        return layer

    def _tell_if_inert(self, layer: EditLayer | None) -> None:
        if (note := missing_model_note(self.state, layer)) is not None:
            self.notice.emit(note)

    def remove_selected(self) -> None:
        if self.state.selected_layer_id is not None:
            self.state.undo_stack.push(C.RemoveLayer(self.state, self.state.selected_layer_id))

    def move_selected(self, delta: int) -> None:
        """delta -1 moves the layer up in the list (later in the timeline order = on top)."""
        lid = self.state.selected_layer_id
        if lid is None:
            return
        i = self.state.timeline.index(lid)
        j = min(max(i - delta, 0), len(self.state.timeline.layers) - 1)
        if j != i:
            self.state.undo_stack.push(C.ReorderLayer(self.state, lid, j))

    def set_param(self, name: str, value: float) -> None:
        """Change one field at the playhead: creates or updates that frame's keyframe."""
        layer = self.state.selected_layer
        if layer is None:
            return
        f = self.state.frame
        params = replace(params_at(layer, f), **{name: value})
        self.state.undo_stack.push(C.SetParam(self.state, layer.id, f, params, name))
        self._tell_if_inert(layer)

    def add_keyframe_here(self) -> None:
        """K: pin the selected layer's current value at the playhead as a keyframe."""
        layer = self.state.selected_layer
        if layer is not None and self.state.frame not in layer.keyframes:
            f = self.state.frame
            self.state.undo_stack.push(
                C.SetKeyframe(self.state, layer.id, f, params_at(layer, f), f"Add keyframe at {f}")
            )
            self._tell_if_inert(layer)

    def _choose_driving_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Driving clip", "", "Clips (*.mp4 *.mov *.mkv *.avi *.webm *.m4v)"
        )
        if path:
            self.choose_driving_clip(Path(path))

    def choose_driving_clip(self, path: Path):
        """Probe the clip on the I/O pool, then point the selected layer at it (undoable)."""
        from render_core.media.probe import probe

        layer = self.state.selected_layer
        if layer is None or layer.kind not in DRIVEN_KINDS or self.runner is None:
            return None
        job = self.runner.submit(lambda ctx: probe(path), f"probe {path.name}", Kind.IO)
        job.signals.finished.connect(lambda info, lid=layer.id: self._set_driving(lid, path, info))
        return job

    def _set_driving(self, layer_id: str, path: Path, info) -> None:
        from render_core.project.driven import clip_ref, performance_end

        ref = clip_ref(self.state.project, path, info)
        layer = self.state.timeline.layer(layer_id)
        settings = dict(layer.settings)
        offset = int(settings.get("offset", 0))  # driving clips are read by time
        ends = performance_end(layer.start, offset, info, self.state.fps, self.state.frame_count)
        end = ends if layer.start <= ends < layer.end else None  # the performance ends there
        self.state.undo_stack.push(C.SetDrivingClip(self.state, layer_id, ref, settings, end))

    def _interp_changed(self, _index: int) -> None:
        layer = self.state.selected_layer
        mode = Interpolation(self.interp.currentText())
        if layer is not None and layer.interpolation != mode:
            self.state.undo_stack.push(
                C.UpdateLayer(self.state, layer.id, f"Interpolation {mode.value}", interpolation=mode)
            )

    def _current_changed(self, item: QListWidgetItem | None, _prev) -> None:
        if not self._filling and item is not None:
            self.state.select_layer(item.data(Qt.ItemDataRole.UserRole))

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        lid = item.data(Qt.ItemDataRole.UserRole)
        layer = self.state.timeline.layer(lid)
        enabled = item.checkState() == Qt.CheckState.Checked
        if enabled != layer.enabled:
            self.state.undo_stack.push(C.EnableLayer(self.state, lid, enabled))
        elif item.text().strip() and item.text() != layer.name:
            self.state.undo_stack.push(C.RenameLayer(self.state, lid, item.text().strip()))

    def _rows_moved(self, *_args) -> None:
        """Drag-reorder in the list: read the new order back (list is topmost first)."""
        lid = self.state.selected_layer_id
        order = [self.layers.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.layers.count())]
        if lid in order:
            new_index = len(order) - 1 - order.index(lid)
            if new_index != self.state.timeline.index(lid):
                self.state.undo_stack.push(C.ReorderLayer(self.state, lid, new_index))
