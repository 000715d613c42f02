"""Audio waveforms for the timeline: the open clip's and each driving clip's, read in the
background (I/O pool, with progress and cancel like every job) and kept per clip file.

Why the driving clips too: a reenact / transfer layer's bar draws its performance's sound
where it plays (through the layer's driving-frame rule), so a user lines speech up with the
target's picture without hearing it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from render_core.edits.settings import DRIVEN_KINDS
from studio.jobs import JobRunner, Kind
from studio.state import AppState

MAX_CLIPS = 16  # waveforms kept (a 10-minute clip's is 72 KB)


def clip_key(path: str | Path) -> str:
    return str(Path(path).resolve())


def read_levels(path: str, ctx) -> np.ndarray | None:
    """0..1 display levels per video frame of a clip (None: it has no audio)."""
    from render_core.media.probe import probe
    from render_core.media.waveform import display_level, frame_peaks

    peaks = frame_peaks(path, probe(path).timestamps, ctx)
    return None if peaks is None else display_level(peaks)


class WaveformStore(QObject):
    changed = Signal()

    def __init__(self, state: AppState, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.runner = runner
        self.levels: dict[str, np.ndarray | None] = {}
        self.jobs: dict[str, object] = {}
        state.clip_changed.connect(self.refresh)
        state.timeline_changed.connect(self.refresh)

    def wanted(self) -> list[str]:
        """The open clip, then every driving clip a reenact / transfer layer uses."""
        st = self.state
        if not st.is_open or st.image_set is not None:  # an image set's path has no sound
            return []
        out = [st.clip_path]
        for layer in st.timeline.layers:
            cid = layer.settings.get("driving_clip") if layer.kind in DRIVEN_KINDS else None
            if cid and st.project is not None and cid in {c.id for c in st.project.clips}:
                out.append(str(st.project.clip_path(cid)))
        return out

    def refresh(self) -> None:
        """Read the waveforms wanted now that are neither known nor being read."""
        for path in self.wanted():
            key = clip_key(path)
            if key in self.levels or key in self.jobs:
                continue
            job = self.runner.submit(
                lambda ctx, p=path: read_levels(p, ctx), f"audio of {Path(path).name}", Kind.IO
            )
            job.signals.finished.connect(lambda levels, k=key: self._arrived(k, levels))
            job.signals.failed.connect(lambda *_e, k=key: self._arrived(k, None))  # drawn as silence
            job.signals.ended.connect(lambda k=key: self.jobs.pop(k, None))
            self.jobs[key] = job

    def _arrived(self, key: str, levels: np.ndarray | None) -> None:
        self.levels[key] = levels
        while len(self.levels) > MAX_CLIPS:
            self.levels.pop(next(iter(self.levels)))
        self.changed.emit()

    def get(self, path: str | Path | None) -> np.ndarray | None:
        return None if path is None else self.levels.get(clip_key(path))
