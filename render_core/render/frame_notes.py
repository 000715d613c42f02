"""What a render asked of a renderer beyond its reach, frame by frame: the per-frame notes a
renderer declares (`contract.NoteSpec`, e.g. a body model's pose novelty) collected over an
export or a preview session and summarized as counts, runs of flagged frames and one warning.

The latest value per frame is kept (the studio's preview renders a frame again after each
edit), so memory stays bounded by the clip and a frame counts once."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from render_core.contract import NoteSpec
from render_core.training.split import frame_runs

MAX_SPANS = 8  # frame runs named in a warning line


class NoteLog:
    """One note's latest value per frame."""

    def __init__(self, spec: NoteSpec) -> None:
        self.spec = spec
        self.by_frame: dict[int, float] = {}

    def add(self, t: int, value: float | None) -> None:
        if value is not None and np.isfinite(value):
            self.by_frame[t] = float(value)

    @property
    def flagged(self) -> list[int]:
        """Frames whose value exceeds the spec's threshold, in order."""
        return sorted(t for t, d in self.by_frame.items() if d > self.spec.threshold)

    def report(self) -> dict:
        """Summary fields (none when no frame was measured) and a warning for flagged frames."""
        if not self.by_frame:
            return {}
        flagged, spec = self.flagged, self.spec
        runs = frame_runs(np.array(flagged, int))
        out = {spec.max_key: round(max(self.by_frame.values()), 3), spec.count_key: len(flagged),
               spec.runs_key: runs}  # fmt: skip
        if runs:
            spans = ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in runs[:MAX_SPANS])
            if len(runs) > MAX_SPANS:
                spans += f" and {len(runs) - MAX_SPANS} more"
            out["warnings"] = [spec.warning.format(count=len(flagged), total=len(self.by_frame), spans=spans)]
        return out


class FrameNotes:
    """The notes of one renderer, by name."""

    def __init__(self, specs: tuple[NoteSpec, ...] = ()) -> None:
        self.logs = {s.name: NoteLog(s) for s in specs}

    def add(self, t: int, notes: Mapping[str, float]) -> None:
        for name, value in notes.items():
            if name in self.logs:
                self.logs[name].add(t, value)

    def at(self, t: int) -> dict[str, float]:
        """Frame t's latest value of each note measured there (the studio marks the frame)."""
        return {name: log.by_frame[t] for name, log in self.logs.items() if t in log.by_frame}

    def report(self) -> dict:
        """Every note's summary fields; their warnings in one list."""
        out: dict = {}
        warnings: list[str] = []
        for log in self.logs.values():
            rep = log.report()
            warnings += rep.pop("warnings", [])
            out.update(rep)
        return {**out, "warnings": warnings} if warnings else out
