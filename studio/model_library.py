"""The model library: trained checkpoints of the open project (and of unsaved work, in the
user cache) with their quality report; one can be chosen as the project's renderer."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from render_core.paths import user_cache_dir
from render_core.training.verdict import below_baseline
from studio import commands as C
from studio.state import AppState

META_FILE = "model.json"
WARP = "warp"


def find_models(folders: list[Path]) -> list[tuple[Path, dict]]:
    """(checkpoint dir, model.json) for every readable checkpoint directly under `folders`."""
    found = []
    for folder in folders:
        for meta in sorted(folder.glob(f"*/{META_FILE}")) if folder.is_dir() else []:
            if meta.parent.name.endswith((".new", ".prev")):
                continue
            try:
                found.append((meta.parent, json.loads(meta.read_text())))
            except (OSError, ValueError):
                continue  # a checkpoint being written right now: listed on the next refresh
    return found


UNDERTRAINED = 0.5  # of the preset's planned minutes


def quality_text(meta: dict) -> str:
    """The held-out report's numbers, led by how a portrait model draws its edits (its report's
    `composition`: redrawing the face, or only the mouth and eyes an edit reshapes)."""
    metrics = meta.get("metrics", {})
    text = ", ".join(f"{k} {v:.3g}" for k, v in metrics.items() if isinstance(v, int | float))
    if text and isinstance(metrics.get("composition"), str):
        text = f"draws: {metrics['composition']}, {text}"
    return text or f"not evaluated (stopped at step {meta.get('step', '?')})"


def undertrained(meta: dict) -> str | None:
    """Why a checkpoint will render worse than it should, or None: it stopped before any
    held-out evaluation, or before half of its preset's planned training time, or its held-out
    frames score below the baseline (`training.verdict`)."""
    step = meta.get("step", "?")
    if not any(isinstance(v, int | float) for v in meta.get("metrics", {}).values()):
        return (
            f"stopped at step {step} before any held-out evaluation: undertrained, expect a blurred likeness"
        )
    planned = float(meta.get("config", {}).get("default_minutes") or 0.0) * 60.0
    wall = float(meta.get("wall_time_s") or 0.0)
    if planned and wall < UNDERTRAINED * planned:
        return (
            f"trained {wall / 60:.1f} of its preset's {planned / 60:.0f} minutes (step {step}):"
            " undertrained, expect a blurred likeness"
        )
    return below_baseline(meta.get("metrics", {}))


class ModelLibrary(QWidget):
    warning = Signal(str)  # a model chosen as the renderer is undertrained

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Model", "Family", "Preset", "Steps", "Held-out quality"])
        self.tree.setRootIsDecorated(False)
        self.current = QLabel()
        use = QPushButton("Use as renderer")
        use.clicked.connect(self.use_selected)
        warp = QPushButton("Use warp (no model)")
        warp.clicked.connect(self.use_warp)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        row = QHBoxLayout()
        for b in (use, warp, refresh):
            row.addWidget(b)
        v = QVBoxLayout(self)
        v.addWidget(self.current)
        v.addWidget(self.tree, 1)
        v.addLayout(row)
        state.clip_changed.connect(self.refresh)
        state.renderer_changed.connect(lambda _r: self._show_current())
        self.refresh()

    def folders(self) -> list[Path]:
        st = self.state
        out = [user_cache_dir() / "models"]
        folder = st.project_path or (st.image_set.folder if st.image_set is not None else None)
        return [folder / "models", *out] if folder else out

    def refresh(self) -> None:
        self.tree.clear()
        for path, meta in find_models(self.folders()):
            item = QTreeWidgetItem([path.name, str(meta.get("family", "?")), str(meta.get("preset", "")),
                                    str(meta.get("step", "")), quality_text(meta)])  # fmt: skip
            item.setData(0, Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(0, str(path))
            if (why := undertrained(meta)) is not None:
                item.setForeground(4, QBrush(QColor(230, 160, 60)))
                item.setToolTip(4, why)
            self.tree.addTopLevelItem(item)
        self._show_current()

    def paths(self) -> list[str]:
        return [
            self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
            for i in range(self.tree.topLevelItemCount())
        ]

    def _show_current(self) -> None:
        r = self.state.renderer
        self.current.setText(f"Renderer: {r if r != WARP else 'warp (classical, no training)'}")

    def use_selected(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.use(Path(item.data(0, Qt.ItemDataRole.UserRole)))

    def use(self, checkpoint: Path) -> None:
        """Register the checkpoint in the project (by its folder name) and render with it."""
        from render_core.project.document import ModelRef

        st = self.state
        if not st.is_open:
            return
        meta = dict(find_models([checkpoint.parent]))[checkpoint] if checkpoint.parent.is_dir() else {}
        metrics = {k: float(v) for k, v in meta.get("metrics", {}).items() if isinstance(v, int | float)}
        ref = ModelRef(checkpoint.name, str(meta.get("family", "")), st.project.relative(checkpoint),
                       str(meta.get("preset", "")), metrics)  # fmt: skip
        if ref.id != st.renderer or ref not in st.project.models:
            st.undo_stack.push(C.UseModel(st, ref))
        if (why := undertrained(meta)) is not None:
            self.warning.emit(f"{checkpoint.name}: {why}")

    def use_warp(self) -> None:
        if self.state.is_open and self.state.renderer != WARP:
            self.state.undo_stack.push(C.UseModel(self.state, None))
