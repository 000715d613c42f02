"""The Qt job adapter: results on the GUI thread, errors as one line + details, cancel, pools
drained at teardown, and the latest-wins preview queue."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import QThread

from render_core.errors import InputError
from studio.jobs import Job, JobRunner, Kind, describe_error
from studio.preview import PreviewWorker


@pytest.fixture
def runner(qtbot):
    r = JobRunner()
    yield r
    assert r.shutdown()
    assert all(p.activeThreadCount() == 0 for p in r.pools.values())


def test_result_and_progress_arrive_on_gui_thread(qtbot, runner):
    seen = {}

    def work(ctx):
        ctx.step(1, 2, "half")
        return threading.get_ident()

    job = Job(work, "w", Kind.IO)  # listening before it starts: a loaded machine may finish it at once
    job.signals.progress.connect(lambda f, m: seen.setdefault("progress", (f, m, QThread.currentThread())))
    with qtbot.waitSignal(job.signals.finished, timeout=5000) as sig:
        runner.start(job)
    assert sig.args[0] != threading.get_ident()  # ran on a pool thread
    assert seen["progress"][:2] == (0.5, "half")
    assert seen["progress"][2] is QThread.currentThread()  # delivered to the GUI thread
    qtbot.waitUntil(lambda: not runner.active)


def test_failure_is_one_line_with_details(qtbot, runner):
    def work(ctx):
        raise InputError("/x/clip.mp4", "not a video")

    job = Job(work, "bad", Kind.IO)
    with qtbot.waitSignal(job.signals.failed, timeout=5000) as sig:
        runner.start(job)
    line, details = sig.args
    assert line == "/x/clip.mp4: not a video"
    # a problem with the user's file reads as one: the file, the problem, what to try
    assert "Traceback" not in details and "File: /x/clip.mp4" in details and "What to try" in details
    line, details = describe_error(ValueError("a\nb"))
    assert line == "ValueError: a"
    assert details.startswith("This is a fault in Render Studio") and details.endswith("ValueError: a\nb\n")


def test_cancel_stops_a_running_job(qtbot, runner):
    started = threading.Event()

    def work(ctx):
        started.set()
        for i in range(10_000):
            ctx.step(i, 10_000)
            time.sleep(0.001)
        return "finished"

    job = runner.submit(work, "long", Kind.HEAVY)
    assert started.wait(5)
    with qtbot.waitSignal(job.signals.cancelled, timeout=5000):
        job.cancel()
    assert runner.pools[Kind.HEAVY].waitForDone(5000)


def test_heavy_pool_runs_one_job_at_a_time(qtbot, runner):
    running, peak, lock = [0], [0], threading.Lock()

    def work(ctx):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    jobs = [runner.submit(work, f"h{i}", Kind.HEAVY) for i in range(3)]
    qtbot.waitUntil(lambda: all(j.done for j in jobs), timeout=5000)
    assert peak[0] == 1


def test_preview_latest_wins_and_drops_stale(qtbot, runner):
    calls = []

    def render(snapshot, frame, scale):
        calls.append((snapshot, frame))
        time.sleep(0.05)
        img = np.full((8, 10, 3), snapshot, np.uint8)
        return img, img

    worker = PreviewWorker(runner, render)
    shown = []
    worker.ready.connect(shown.append)
    for version in range(1, 6):  # five quick edits of frame 3 while the first renders
        worker.request(version, 3)
    qtbot.waitUntil(lambda: not worker.busy, timeout=5000)
    assert [c[0] for c in calls] == [1, 5]  # the first ran; 2-4 were replaced while waiting
    assert [r.request_id for r in shown] == [5]  # version 1's image was stale: dropped
    assert shown[0].original.pixel(0, 0) & 0xFF == 5
    assert shown[0].original.width() == 10 and shown[0].original.height() == 8


def test_preview_during_playback_shows_frames_it_skipped_to(qtbot, runner):
    def render(snapshot, frame, scale):
        time.sleep(0.03)
        return np.zeros((4, 4, 3), np.uint8), None

    worker = PreviewWorker(runner, render)
    shown = []
    worker.ready.connect(shown.append)
    for f in range(6):
        worker.request("doc", f)
    qtbot.waitUntil(lambda: not worker.busy, timeout=5000)
    assert [r.frame for r in shown] == [0, 5]  # frames 1-4 dropped, nothing shown late


def test_studio_without_a_display_says_so_in_one_line():
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = subprocess.run(
        [sys.executable, str(REPO / "main.py")], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no display" in r.stderr


def test_a_job_that_ends_before_its_caller_connects_is_still_heard(qtbot, runner):
    job = runner.submit(lambda ctx: 42, "instant", Kind.IO)
    deadline = time.monotonic() + 5
    while not job.done and time.monotonic() < deadline:
        time.sleep(0.005)  # the worker finishes while the GUI thread is not yet listening
    assert job.done
    results, ended = [], []
    job.signals.finished.connect(results.append)
    job.signals.ended.connect(lambda: ended.append(True))
    qtbot.waitUntil(lambda: ended == [True], timeout=5000)
    assert results == [42]
