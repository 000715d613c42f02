"""Playback that renders ahead: a producer job streams frames in order into a bounded buffer,
and the playhead's clock shows each frame at its time.

Why: a portrait model renders 8 frames per generator pass about as fast as the clip plays,
but one frame per request (the latest-wins preview) is 11 frames/s at best, and every dropped
frame is a jump that re-primes the model's window. Streaming keeps the sequence unbroken.

The clock starts when the first frame is ready (pre-roll). When the producer falls behind the
clock, it skips ahead at its next batch boundary by as many frames as a batch takes, so
playback keeps real time and drops frames rather than slowing down, as video tools do.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Any

from PySide6.QtCore import QObject

from render_core.jobs import Cancelled
from studio.jobs import Job, JobRunner, Kind
from studio.preview import PreviewResult, rendered_notes, to_qimage

BUFFER_FRAMES = 16  # frames rendered ahead of the playhead, at most


class PlaybackBuffer:
    """Rendered frames waiting for their time, oldest first, at most `capacity` of them, keyed
    by playing position (0, 1, 2, ... in playing order; a loop's frames repeat, positions do
    not). Thread-safe for one producer and one consumer: the producer waits while it is full."""

    def __init__(self, capacity: int = BUFFER_FRAMES) -> None:
        self.capacity = capacity
        self.clock = -1  # the position the playhead's clock has reached; -1 before it starts
        self._items: deque[tuple[int, Any]] = deque()
        self._cond = threading.Condition()

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    def put(self, position: int, item: Any, cancelled=lambda: False) -> bool:
        """Append `item` at `position`, waiting while the buffer is full; False if cancelled."""
        with self._cond:
            while len(self._items) >= self.capacity:
                if cancelled():
                    return False
                self._cond.wait(0.05)
            self._items.append((position, item))
            return True

    def take(self, upto: int | None = None) -> tuple[int, Any] | None:
        """(position, item): the newest at or before position `upto`, dropping older ones (their
        time has passed); with `upto` None, the oldest. None when nothing is due yet."""
        with self._cond:
            found = None
            if upto is None:
                if self._items:
                    found = self._items.popleft()
            else:
                while self._items and self._items[0][0] <= upto:
                    found = self._items.popleft()
            self._cond.notify_all()
            return found


class CatchUp:
    """Where the producer goes on from at a batch boundary. A batch's frames all come out when
    the batch is done, so its first frame must lie at least as far past the clock as the last
    batch took to render; a producer slower than the clock skips ahead to there (dropping the
    frames between) so that what it renders is shown instead of arriving late."""

    def __init__(self, buffer: PlaybackBuffer, fps: float) -> None:
        self.buffer, self.fps = buffer, fps
        self.skipped = 0
        self._busy = 0.0  # producer seconds since the last boundary, waits for room excluded

    def busy(self, seconds: float) -> None:
        self._busy += seconds

    def __call__(self, position: int) -> int:
        batch_seconds, self._busy = self._busy, 0.0
        clock = self.buffer.clock
        if clock < 0:
            return position  # pre-roll: the clock starts with the first frame
        on_time = clock + 1 + math.ceil(batch_seconds * self.fps)
        if position >= on_time:
            return position
        self.skipped += on_time - position
        return on_time


class PlaybackStream(QObject):
    """Owns the producer job and its buffer. `start` (re)starts rendering from a frame;
    `take(frame)` is the playhead's side; `stop` cancels and empties."""

    def __init__(self, runner: JobRunner, pipeline: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner, self.pipeline = runner, pipeline
        self.buffer = PlaybackBuffer()
        self.job: Job | None = None
        self.catch_up: CatchUp | None = None

    @property
    def active(self) -> bool:
        return self.job is not None

    def start(
        self, snapshot: Any, frame: int, scale: float, fps: float, loop: tuple[int, int] | None = None
    ) -> Job:
        """Render from `frame` on (to the clip's end, or around `loop` = (first, last))."""
        self.stop()
        buffer, pipeline = self.buffer, self.pipeline  # a job only ever fills its own buffer
        catch_up = self.catch_up = CatchUp(buffer, fps)

        def work(ctx) -> int:
            frames = pipeline.stream(snapshot, frame, scale, catch_up, loop)
            produced, start = 0, time.perf_counter()
            try:
                for position, t, original, edited in frames:
                    ctx.check()
                    notes = rendered_notes(pipeline, snapshot, t) if edited is not None else None
                    edited_image = None if edited is None else to_qimage(edited)
                    item = PreviewResult(0, t, to_qimage(original), edited_image, 0.0, start, notes)
                    ready = time.perf_counter()
                    catch_up.busy(ready - start)
                    if not buffer.put(position, item, lambda: ctx.cancelled):
                        raise Cancelled()
                    produced += 1
                    start = time.perf_counter()
            finally:
                frames.close()  # drops what the renderer still has queued
            return produced

        job = Job(work, f"playback from {frame}", Kind.PLAYBACK)
        job.signals.ended.connect(lambda j=job: self._ended(j))
        self.job = job
        self.runner.start(job)
        return job

    def _ended(self, job: Job) -> None:
        if self.job is job:
            self.job = None

    def take(self, position: int | None) -> tuple[int, PreviewResult] | None:
        """(position, frame) to show with the clock at `position` (None: the first, at pre-roll)."""
        if position is not None:
            self.buffer.clock = position
        return self.buffer.take(position)

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job = None
        self.buffer = PlaybackBuffer()  # a cancelled job may still put its last frame in the old one
