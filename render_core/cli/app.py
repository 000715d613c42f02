"""The `main.py` command line: one subparser per command module, each run as a job.

A command module defines `NAME`, `HELP`, `add_arguments(parser)` and `run(args, ctx) -> dict`
(the summary). Modules import heavy libraries inside `run`, so `--help` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import json
from typing import NoReturn

from render_core.cli.runner import run_command

# Command modules, in the order `--help` lists them.
COMMAND_MODULES = [
    "render_core.cli.cmd_demo",
    "render_core.cli.cmd_doctor",
    "render_core.cli.cmd_track",
    "render_core.cli.cmd_capture",
    "render_core.cli.cmd_project",
    "render_core.cli.cmd_edit",
    "render_core.cli.cmd_render",
    "render_core.cli.cmd_train",
    "render_core.cli.cmd_reenact",
    "render_core.cli.cmd_transfer",
    "render_core.cli.cmd_verify",
    "render_core.cli.cmd_bench",
]


class OneLineParser(argparse.ArgumentParser):
    """Argument errors as the README's contract has every bad input: one `error:` line on
    stderr naming the command and the problem, exit 2 (the usage is one `--help` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON summary as the last line")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--debug", action="store_true", help="print tracebacks of internal errors")


def build_parser(modules: list[str] | None = None) -> tuple[argparse.ArgumentParser, dict]:
    parser = OneLineParser(prog="main.py", description="Neural video editing studio.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    loaded = {}
    for name in modules or COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:  # a real missing dependency inside the module
                raise
            continue
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        _add_common(p)
        loaded[mod.NAME] = mod
    return parser, loaded


def main(argv: list[str]) -> int:
    parser, commands = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # `--json` promises a JSON object last, argument errors included
        if e.code == 2 and "--json" in argv:
            print(json.dumps({"status": "error", "error": "invalid arguments (see the error line)"}))
        raise
    if args.command is None:
        parser.print_help()
        return 0
    mod = commands[args.command]
    return run_command(args.command, mod.run, args)
