"""One progress/cancel API for every long job (tracking, training, rendering, export).

A job is a function `f(cfg, ctx)`. It calls `ctx.step(done, total, message)` as it goes; that
reports progress to whoever listens (a CLI progress bar, a Qt signal) and is a cancellation
point: once `ctx.cancel()` was called, the next `step` raises `Cancelled`. Multi-stage jobs
hand a weighted slice of the range to each stage with `ctx.sub(start, end)`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


class Cancelled(Exception):
    """Raised at a cancellation point after the job was asked to stop."""


@dataclass(frozen=True)
class Progress:
    """A progress report. `fraction` is of the whole job, in [0, 1]."""

    fraction: float
    done: int
    total: int
    message: str


ProgressListener = Callable[[Progress], None]


class JobContext:
    """Progress sink + cancel flag shared by a job and the code that started it.

    Thread-safe for one job thread and any number of observer threads calling `cancel`.
    """

    def __init__(self, listener: ProgressListener | None = None) -> None:
        self._listener = listener
        self._cancel = threading.Event()
        self._offset = 0.0
        self._scale = 1.0
        self._root: JobContext = self

    # -- cancellation -----------------------------------------------------------------
    def cancel(self) -> None:
        self._root._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._root._cancel.is_set()

    def check(self) -> None:
        """Cancellation point without a progress report."""
        if self.cancelled:
            raise Cancelled()

    # -- progress ---------------------------------------------------------------------
    def step(self, done: int, total: int, message: str = "") -> None:
        """Report `done` of `total` units of this (sub)job; raise `Cancelled` if asked to stop."""
        self.check()
        local = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
        listener = self._root._listener
        if listener is not None:
            listener(Progress(self._offset + self._scale * local, done, total, message))

    def sub(self, start: float, end: float) -> JobContext:
        """A context for a stage that owns the slice [start, end] of this context's range."""
        child = JobContext.__new__(JobContext)
        child._root = self._root
        child._listener = None
        child._cancel = self._root._cancel
        child._offset = self._offset + self._scale * start
        child._scale = self._scale * (end - start)
        return child


def null_context() -> JobContext:
    """A context that reports nowhere and is never cancelled (tests, library use)."""
    return JobContext(None)
