"""Frames a render flagged, for the timeline's marks and the status bar.

A renderer reports per-frame notes (`contract.NoteSpec`, e.g. a portrait model's distance from
every face it was trained on); a frame whose note exceeds its spec's threshold is flagged: expect
artifacts there. As the preview renders frames, their notes are collected here on the GUI
thread; the timeline marks the flagged frames, and the status bar says what they mean once per
preview session, as it does for the warnings of a renderer's `report()` (what the clip lacks
for the edits, e.g. a mouth it never opens).

The marks belong to the render that made them: an edit, another renderer or model, or new
tracks clear them, and they come back as frames render again. A preview session lasts from
opening a document or choosing a renderer (or model) to the next such change, so tweaking a
keyframe does not repeat a line the user has read.
"""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QObject, Signal

from render_core.contract import NoteSpec
from render_core.render.frame_notes import FrameNotes, NoteLog
from render_core.training.split import frame_runs
from studio.preview import PreviewResult
from studio.state import AppState


def short_line(warning: str) -> str:
    """A note's warning cut to its first clause, which says what the flagged frames ask for
    ("3 of 9 frames ask the portrait model for ... (frames 3-5)"); the rest is advice the
    timeline's tooltip gives."""
    head = warning.split("): ", 1)
    return head[0] + ")" if len(head) == 2 else warning


def warning_key(warning: str) -> str:
    """What identifies a report warning across renders: its wording without its counts and
    frame lists, which grow as more frames render."""
    return re.sub(r"\d+", "#", warning.split("(", 1)[0]).strip()


class FrameMarks(QObject):
    """The flagged frames of the preview's current render and the session's announcements.
    `changed` fires when the flagged frames change; `notice` carries one status-bar line."""

    changed = Signal()
    notice = Signal(str)

    def __init__(self, state: AppState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.notes = FrameNotes()
        self.renderer_key: str | None = None
        self._layers = state.timeline.layers
        self._announced: set[str] = set()  # note names and warning keys said this session
        state.timeline_changed.connect(self._timeline_changed)
        state.tracks_changed.connect(self.clear)
        state.renderer_changed.connect(self.new_session)
        state.clip_changed.connect(self.new_session)

    # -- collecting ----------------------------------------------------------------------
    def add(self, result: PreviewResult) -> None:
        """Take a preview frame's notes, unless they came from an older snapshot."""
        rendered = result.notes
        if rendered is None or not self._current(rendered.source):
            return
        if rendered.renderer_key != self.renderer_key:
            self.new_session()
            self.renderer_key = rendered.renderer_key
        if self.specs != tuple(rendered.specs):
            self.notes = FrameNotes(tuple(rendered.specs))
        was = self.is_flagged(result.frame)
        self.notes.add(result.frame, rendered.values)
        if self.is_flagged(result.frame) != was:
            self.changed.emit()
        self._announce(rendered.warnings)

    def _current(self, source) -> bool:
        st = self.state
        return (
            source.timeline.layers is st.timeline.layers
            and source.renderer == st.renderer
            and source.tracks is st.tracks
        )

    def clear(self) -> None:
        """Forget every frame's notes (what made them changed); the session goes on."""
        self._layers = self.state.timeline.layers
        had = any(log.by_frame for log in self.notes.logs.values())
        self.notes = FrameNotes(self.specs)
        if had:
            self.changed.emit()

    def new_session(self) -> None:
        """Another document or renderer: clear the marks, and say everything afresh."""
        self.renderer_key = None
        self._announced.clear()
        self.clear()

    def _timeline_changed(self) -> None:
        if self.state.timeline.layers is not self._layers:  # in/out marks alone change no pixel
            self.clear()

    # -- reading -------------------------------------------------------------------------
    @property
    def specs(self) -> tuple[NoteSpec, ...]:
        """The notes the current render's renderer declares."""
        return tuple(log.spec for log in self.notes.logs.values())

    def is_flagged(self, frame: int) -> bool:
        return any(_over(log, frame) for log in self.notes.logs.values())

    def flagged(self) -> dict[str, list[int]]:
        """Note name -> its flagged frames, in order (notes with none left out)."""
        out = {name: log.flagged for name, log in self.notes.logs.items()}
        return {name: frames for name, frames in out.items() if frames}

    def runs(self) -> list[tuple[int, int]]:
        """[first, last] runs of frames any note flags, in order (what the timeline paints)."""
        frames = sorted({t for frames in self.flagged().values() for t in frames})
        return [tuple(r) for r in frame_runs(np.array(frames, int))]

    def tooltip(self, frame: int) -> str | None:
        """What a mark at `frame` means: each note over its threshold there, its value, and the
        renderer's warning for all the flagged frames so far; None where nothing is flagged."""
        lines = []
        for log in self.notes.logs.values():
            if _over(log, frame):
                spec = log.spec
                lines.append(
                    f"Frame {frame}: {_label(spec)} {log.by_frame[frame]:.2f} (above {spec.threshold:g})"
                )
                lines += log.report().get("warnings", [])
        return "\n".join(lines) or None

    # -- the status bar ------------------------------------------------------------------
    def _announce(self, warnings: tuple[str, ...]) -> None:
        """One line for what is new this session: notes flagging frames for the first time,
        and report warnings not said yet."""
        parts = []
        for name, log in self.notes.logs.items():
            if name not in self._announced and log.flagged:
                self._announced.add(name)
                first = log.report().get("warnings", [])
                parts += [f"{short_line(w)}: marked on the timeline" for w in first]
        for w in warnings:
            if warning_key(w) not in self._announced:
                self._announced.add(warning_key(w))
                parts.append(f"Warning: {w}")
        if parts:
            self.notice.emit("  |  ".join(parts))


def _over(log: NoteLog, frame: int) -> bool:
    value = log.by_frame.get(frame)
    return value is not None and value > log.spec.threshold


def _label(spec: NoteSpec) -> str:
    return spec.name.replace("_", " ")
