"""Entry point. No arguments (or a clip/project path) opens the studio; a subcommand runs the CLI."""

from __future__ import annotations

import sys


def _wants_studio(argv: list[str]) -> bool:
    if not argv:
        return True
    first = argv[0]
    return not first.startswith("-") and ("." in first or "/" in first)


def main(argv: list[str]) -> int:
    if _wants_studio(argv):
        try:
            from studio.app import run_studio
        except ModuleNotFoundError as e:
            if e.name not in ("studio.app", "studio"):
                raise
        else:
            return run_studio(argv)
    from render_core.cli.app import main as cli_main

    return cli_main(argv)


def cli() -> int:
    """`render-studio-cli COMMAND ...`: the command line of an installed copy."""
    from render_core.cli.app import main as cli_main

    return cli_main(sys.argv[1:])


def studio() -> int:
    """`render-studio [CLIP | PROJECT]`: the studio of an installed copy."""
    from studio.app import run_studio

    return run_studio(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
