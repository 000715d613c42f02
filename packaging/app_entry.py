"""Entry of the frozen desktop app: main.py's dispatch (no arguments: the studio; a command:
the CLI), plus `--screenshot OUT.png CLIP`, since a frozen app cannot run `python -m
studio.screenshot` and the build's smoke test needs the studio on screen."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path


def run(argv: list[str]) -> int:
    if argv[:1] == ["--screenshot"] and len(argv) == 3:
        from studio.screenshot import capture

        capture(Path(argv[1]), Path(argv[2]))
        return 0
    from main import main

    return main(argv)


if __name__ == "__main__":
    multiprocessing.freeze_support()  # torch / PyAV worker processes re-enter the executable
    sys.exit(run(sys.argv[1:]))
