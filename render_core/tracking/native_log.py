"""Silence MediaPipe's C++ start-up chatter (absl/glog warnings written straight to fd 2).

The warnings ("Feedback manager requires a model with a single signature...") are printed by
native code while graphs are built and on their first frames, bypassing Python logging and
GLOG_minloglevel; users saw a wall of them before every progress bar. We redirect fd 2 to
/dev/null only around those calls, so real errors later still reach the terminal.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Redirect the process's fd 2 to /dev/null for the duration of the block."""
    if os.environ.get("RENDER_VERBOSE_NATIVE"):
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (embedded interpreter): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
