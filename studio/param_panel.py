"""Sliders + spin boxes generated from a params class's field metadata (`param_specs`): the
same source the CLI validates with. A value change is reported as (field name, value); the
inspector turns it into an undo command at the playhead."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QLabel, QSlider, QWidget

from render_core.edits.params import ParamSpec, param_specs

SLIDER_TICKS = 1000


class ParamRow:
    """One field: label, slider (integer ticks over [min, max]) and a spin box in real units."""

    def __init__(self, spec: ParamSpec, grid: QGridLayout, row: int, on_change) -> None:
        self.spec = spec
        self._on_change = on_change
        self._updating = False
        unit = f" {spec.unit}" if spec.unit else ""
        self.label = QLabel(spec.label)
        self.label.setToolTip(f"{spec.name}: {spec.min:g}..{spec.max:g}{unit}")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_TICKS)
        self.spin = QDoubleSpinBox()
        self.spin.setRange(spec.min, spec.max)
        self.spin.setSingleStep(spec.step)
        self.spin.setDecimals(max(0, len(f"{spec.step:g}".partition(".")[2])))
        self.spin.setSuffix(unit)
        self.spin.setKeyboardTracking(False)
        self.slider.valueChanged.connect(lambda v: self._emit(self._from_tick(v)))
        self.spin.valueChanged.connect(self._emit)
        grid.addWidget(self.label, row, 0)
        grid.addWidget(self.slider, row, 1)
        grid.addWidget(self.spin, row, 2)

    def _to_tick(self, v: float) -> int:
        s = self.spec
        return round((v - s.min) / (s.max - s.min) * SLIDER_TICKS)

    def _from_tick(self, tick: int) -> float:
        s = self.spec
        v = s.min + tick / SLIDER_TICKS * (s.max - s.min)
        return round(v / s.step) * s.step if s.step > 0 else v

    def set_value(self, v: float) -> None:
        """Show `v` without reporting a change."""
        self._updating = True
        self.spin.setValue(v)
        self.slider.setValue(self._to_tick(v))
        self._updating = False

    def _emit(self, v: float) -> None:
        if self._updating:
            return
        v = min(max(float(v), self.spec.min), self.spec.max)
        self.set_value(v)
        self._on_change(self.spec.name, v)


class ParamPanel(QWidget):
    """Rows for every field of `cls`; `value_changed(name, value)` on user edits."""

    value_changed = Signal(str, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setColumnStretch(1, 1)
        self.rows: dict[str, ParamRow] = {}
        self.cls: type | None = None
        self.selected_field: str | None = None

    def set_class(self, cls: type | None) -> None:
        if cls is self.cls:
            return
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.hide()  # gone from the screen now, not when the deferred delete runs
                w.setParent(None)
                w.deleteLater()
        self.rows, self.cls = {}, cls
        if cls is None:
            return
        for i, spec in enumerate(param_specs(cls)):
            row = ParamRow(spec, self.grid, i, self.value_changed.emit)
            row.slider.sliderPressed.connect(lambda n=spec.name: self._select(n))
            row.spin.editingFinished.connect(lambda n=spec.name: self._select(n))
            self.rows[spec.name] = row
        self.selected_field = next(iter(self.rows), None)

    def _select(self, name: str) -> None:
        self.selected_field = name

    def show_params(self, params: Any) -> None:
        for name, row in self.rows.items():
            row.set_value(float(getattr(params, name)))
