"""Runs one CLI command as a job: progress bar, Ctrl-C, `--json`, exit codes.

Exit codes: 0 ok, 2 bad input (one line on stderr naming the file), 130 cancelled, 1 bug.
With `--json` the last line of stdout is exactly one JSON object: the command's summary.
"""

from __future__ import annotations

import json
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any

from render_core.errors import InputError, file_system_error
from render_core.jobs import Cancelled, JobContext, Progress

EXIT_OK, EXIT_BUG, EXIT_BAD_INPUT, EXIT_CANCELLED = 0, 1, 2, 130

Command = Callable[[Any, JobContext], dict]


class ProgressBar:
    """A tqdm bar on stderr fed by job progress; silent when stderr is not a terminal and
    `quiet` is set."""

    def __init__(self, label: str, enabled: bool = True) -> None:
        self._bar = None
        self._label = label
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(
                total=1000,
                desc=label,
                unit="‰",
                file=sys.stderr,
                leave=False,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}",
            )

    def __call__(self, p: Progress) -> None:
        if self._bar is None:
            return
        self._bar.n = int(p.fraction * 1000)
        self._bar.set_description_str(f"{self._label}: {p.message[:50]}", refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        """Clear the bar; in a pipe or a log, where `\r` does not erase the bar's text, end its
        line too, so an `error:` or `warning:` line that follows starts a line of its own."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
            if not sys.stderr.isatty():
                print(file=sys.stderr)


def _print_summary(summary: dict, as_json: bool, quiet: bool) -> None:
    """`--json`: one JSON line (even with `--quiet`: a script asked for it); else `key: value`
    lines, unless `--quiet`, which prints nothing on success (errors still go to stderr).
    The summary's `warnings` (what the user should know about a result that did succeed) go to
    stderr as `warning: ...` lines, unless `--quiet`."""
    if not quiet:
        for line in summary.get("warnings", []):
            print(f"warning: {line}", file=sys.stderr)
    if as_json:
        print(json.dumps(summary, default=str))
        return
    if quiet:
        return
    for key, value in summary.items():
        if key == "warnings":
            continue
        if isinstance(value, float):
            value = f"{value:.3f}"
        print(f"{key}: {value}")


def run_command(name: str, command: Command, args: Any) -> int:
    """Run `command(args, ctx)` with a progress bar and Ctrl-C cancelling cleanly."""
    as_json = bool(getattr(args, "json", False))
    quiet = bool(getattr(args, "quiet", False))
    bar = ProgressBar(name, enabled=not quiet)
    ctx = JobContext(bar)

    def on_sigint(signum, frame):  # first Ctrl-C asks the job to stop at its next step
        if ctx.cancelled:
            raise KeyboardInterrupt
        ctx.cancel()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        summary = command(args, ctx)
    except (Cancelled, KeyboardInterrupt):
        bar.close()
        print(f"{name}: cancelled", file=sys.stderr)
        if as_json:
            print(json.dumps({"status": "cancelled"}))
        return EXIT_CANCELLED
    except InputError as e:
        return _bad_input(e, bar, as_json)
    except OSError as e:  # a read-only mount, a full disk...: the user's to fix, unless unknown
        if (err := file_system_error(e)) is not None:
            return _bad_input(err, bar, as_json)
        return _bug(name, e, bar, args)
    except Exception as e:
        return _bug(name, e, bar, args)
    finally:
        signal.signal(signal.SIGINT, previous)
    bar.close()
    summary = {"status": "ok", **summary}
    _print_summary(summary, as_json, quiet)
    return EXIT_OK


def _bad_input(e: InputError, bar: ProgressBar, as_json: bool) -> int:
    """One `error:` line naming the file (and the JSON error object when asked): exit 2."""
    bar.close()
    print(f"error: {e.one_line()}", file=sys.stderr)
    if as_json:
        print(json.dumps({"status": "error", "error": e.one_line()}))
    return EXIT_BAD_INPUT


def _bug(name: str, e: Exception, bar: ProgressBar, args: Any) -> int:
    """A bug: keep the traceback (with --debug), but short on the terminal: exit 1."""
    bar.close()
    print(f"internal error in {name}: {e.__class__.__name__}: {e}", file=sys.stderr)
    if getattr(args, "debug", False):
        traceback.print_exception(e)
    else:
        print("(run again with --debug for the traceback)", file=sys.stderr)
    if getattr(args, "json", False):
        print(json.dumps({"status": "internal_error", "error": f"{e.__class__.__name__}: {e}"}))
    return EXIT_BUG
