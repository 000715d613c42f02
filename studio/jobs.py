"""The one Qt adapter over the core job API (`render_core.jobs`), and pools by kind of work.

A `Job` wraps `fn(ctx) -> result` in a QRunnable. It reports through `JobSignals`, whose
object lives in the GUI thread, so slots run there (queued connections): the GUI thread stays
the only writer of the open project. `cancel()` sets the core context's flag; the job stops at
its next `ctx.step`. Pools follow Picard: one thread for heavy model work (tracking, training,
export), a latest-wins preview worker (see `studio.preview`), and a small I/O pool.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from render_core.errors import InputError
from render_core.jobs import Cancelled, JobContext, Progress


class Kind(Enum):
    """Kind of work: decides the pool (and so how many run at once)."""

    HEAVY = "heavy"
    PREVIEW = "preview"
    PLAYBACK = "playback"  # rendering ahead of the playhead (studio/playback.py)
    IO = "io"


_POOL_THREADS = {Kind.HEAVY: 1, Kind.PREVIEW: 1, Kind.PLAYBACK: 1, Kind.IO: 2}


class JobSignals(QObject):
    """Created in the GUI thread. Progress is emitted from the worker (queued to GUI slots); the
    outcome goes to the GUI thread first (`_outcome`, connected at creation) and is emitted
    there, to the slots connected by then. A job that ends before its caller has connected
    (a fast open on a busy machine) is therefore still heard: a signal emitted from the worker
    reaches only the slots connected at the moment of the emit."""

    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str, str)  # one line, details
    cancelled = Signal()
    ended = Signal()  # after any of finished / failed / cancelled
    _outcome = Signal(str, object)  # ("finished" | "failed" | "cancelled", payload), worker -> GUI

    def __init__(self) -> None:
        super().__init__()
        self._outcome.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def _deliver(self, kind: str, payload: object) -> None:
        if kind == "finished":
            self.finished.emit(payload)
        elif kind == "failed":
            self.failed.emit(*payload)
        else:
            self.cancelled.emit()
        self.ended.emit()


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(one line a user can read, details for the expander): for a problem with the user's
    input, the file, the problem and what to try; for anything else (a bug), a note saying so
    above the traceback to report."""
    if isinstance(exc, InputError):
        where = f"File: {exc.path}\n" if exc.path else ""
        return exc.one_line(), (
            f"{where}Problem: {exc.problem}\n\nWhat to try: check that the file opens in a media player "
            "and is complete (a copy or download may have stopped early), or choose another file."
        )
    line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    trace = "".join(traceback.format_exception(exc))
    details = (
        "This is a fault in Render Studio, not in your files; your project is untouched. "
        "Please report it with the text below.\n\n" + trace
    )
    return f"{exc.__class__.__name__}: {line}" if line else exc.__class__.__name__, details


class Job(QRunnable):
    """One run of `fn(ctx)` on a pool thread. Never touches Qt widgets or the project."""

    def __init__(self, fn: Callable[[JobContext], object], name: str, kind: Kind = Kind.HEAVY) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the Python side keeps it; Qt must not delete it under us
        self.fn = fn
        self.name = name
        self.kind = kind
        self.signals = JobSignals()
        self.ctx = JobContext(self._on_progress)
        self.done = False

    def _on_progress(self, p: Progress) -> None:
        self.signals.progress.emit(float(p.fraction), p.message)

    def cancel(self) -> None:
        """Ask the job to stop at its next cancellation point (safe from any thread)."""
        self.ctx.cancel()

    def run(self) -> None:
        outcome: tuple[str, object] = ("cancelled", None)
        try:
            if self.ctx.cancelled:
                raise Cancelled()
            outcome = ("finished", self.fn(self.ctx))
        except Cancelled:
            pass
        except Exception as exc:  # a job failure is reported to the user, never swallowed
            outcome = ("failed", describe_error(exc))
        finally:
            self.done = True
            self.signals._outcome.emit(*outcome)


class JobRunner(QObject):
    """Owns the pools and the jobs in flight; the status bar and close dialog read it."""

    job_started = Signal(object)
    job_ended = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pools: dict[Kind, QThreadPool] = {}
        for kind, n in _POOL_THREADS.items():
            pool = QThreadPool(self)
            pool.setMaxThreadCount(n)
            pool.setExpiryTimeout(2000)
            self.pools[kind] = pool
        self.active: list[Job] = []

    def submit(self, fn: Callable[[JobContext], object], name: str, kind: Kind = Kind.HEAVY) -> Job:
        """Queue `fn(ctx)`; connect to `job.signals` before control returns to the event loop."""
        job = Job(fn, name, kind)
        self.start(job)
        return job

    def start(self, job: Job) -> None:
        self.active.append(job)
        job.signals.ended.connect(lambda j=job: self._ended(j))
        self.job_started.emit(job)
        self.pools[job.kind].start(job)

    def _ended(self, job: Job) -> None:
        if job in self.active:
            self.active.remove(job)
            self.job_ended.emit(job)

    def running(self, kinds: tuple[Kind, ...] = (Kind.HEAVY, Kind.IO)) -> list[Job]:
        """Jobs in flight a user would care about (preview renders are not listed)."""
        return [j for j in self.active if j.kind in kinds]

    def cancel_all(self) -> None:
        for job in list(self.active):
            job.cancel()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel everything, drop queued work, and wait: no thread is left running."""
        self.cancel_all()
        ok = True
        for pool in self.pools.values():
            pool.clear()
            ok = pool.waitForDone(timeout_ms) and ok
        self.active.clear()  # jobs cleared from a queue never run, so never report their end
        return ok
