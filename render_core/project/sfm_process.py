"""COLMAP in a process of its own.

Why: pycolmap's wheel carries its own OpenMP runtime (libgomp) beside torch's, and the two in
one process can crash it (a segmentation fault in a studio test that ran after pycolmap had
been loaded). A child process keeps them apart, a fault inside COLMAP cannot take the studio
down with it, and a cancel ends COLMAP at once, whichever call it is in.

The child reports progress and its result over a queue; the parent relays progress to the job's
context, polls for a cancel, and ends the child when the job stops for any reason.
"""

from __future__ import annotations

import multiprocessing
import queue
from pathlib import Path

from render_core.errors import InputError
from render_core.jobs import JobContext
from render_core.project.sfm import SfmConfig, SfmResult, recover_cameras

POLL_S = 0.2  # how often the parent looks for a cancel while the child works


def _child(images: list[Path], work: Path, cfg: SfmConfig, out) -> None:
    """The child's side: run COLMAP, send ("progress", fraction, message) while it works, then
    ("done", result) or ("error", kind, text)."""
    ctx = JobContext(lambda p: out.put(("progress", p.fraction, p.message)))
    try:
        out.put(("done", recover_cameras(images, work, cfg, ctx)))
    except InputError as e:
        out.put(("error", "input", str(e.problem)))
    except Exception as e:  # noqa: BLE001 - carried to the parent as one line
        out.put(("error", type(e).__name__, str(e)))


def recover_cameras_apart(
    images: list[Path], work: Path, cfg: SfmConfig, ctx: JobContext
) -> SfmResult | None:
    """`sfm.recover_cameras` run in a child process (see the module doc); `Cancelled` when the
    job is cancelled (the child is ended), RuntimeError naming the exit code if it dies."""
    mp = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of torch's inherited
    out = mp.Queue()
    child = mp.Process(target=_child, args=(list(images), Path(work), cfg, out), daemon=True)
    child.start()
    finished = False  # the child sent its last message and is exiting on its own
    try:
        while True:
            try:
                msg = out.get(timeout=POLL_S)
            except queue.Empty:
                ctx.check()
                if not child.is_alive():
                    code = child.exitcode
                    raise RuntimeError(f"camera recovery stopped unexpectedly (exit code {code})") from None
                continue
            if msg[0] == "progress":
                ctx.step(round(msg[1] * 1000), 1000, msg[2])
                continue
            finished = True
            if msg[0] == "done":
                return msg[1]
            if msg[1] == "input":
                raise InputError(images[0].parent, msg[2])
            raise RuntimeError(f"camera recovery failed ({msg[1]}: {msg[2]})")
    finally:
        if finished:
            child.join(30)
        if child.is_alive():  # cancelled: SIGKILL, since COLMAP's log prints a stack on SIGTERM
            child.kill()
        child.join(10)
