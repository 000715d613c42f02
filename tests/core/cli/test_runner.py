"""The runner's output contract: `--quiet` prints nothing on success, `--json` one line,
bad input one `error:` line naming the file with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from render_core.cli.runner import EXIT_BAD_INPUT, EXIT_OK, run_command
from render_core.errors import InputError


def _ok(args, ctx) -> dict:
    ctx.step(1, 2, "half")
    return {"frames": 12, "fps": 29.97}


def _bad(args, ctx) -> dict:
    raise InputError(Path("clip.mp4"), "not a video")


@pytest.mark.parametrize(
    ("quiet", "as_json", "expected"),
    [
        (False, False, ["status: ok", "frames: 12", "fps: 29.970"]),
        (True, False, []),
        (True, True, [json.dumps({"status": "ok", "frames": 12, "fps": 29.97})]),
    ],
)
def test_summary_printing_follows_quiet_and_json(capsys, quiet, as_json, expected):
    args = SimpleNamespace(quiet=quiet, json=as_json)
    assert run_command("demo", _ok, args) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == expected


def test_bad_input_is_one_line_naming_the_file_even_when_quiet(capsys):
    assert run_command("demo", _bad, SimpleNamespace(quiet=True, json=False)) == EXIT_BAD_INPUT
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.strip().splitlines() == ["error: clip.mp4: not a video"]


def _warns(args, ctx) -> dict:
    return {"frames": 3, "warnings": ["2 of 3 frames ask for poses the model never saw"]}


@pytest.mark.parametrize(("quiet", "as_json"), [(False, False), (False, True), (True, False)])
def test_warnings_go_to_stderr_unless_quiet(capsys, quiet, as_json):
    assert run_command("demo", _warns, SimpleNamespace(quiet=quiet, json=as_json)) == EXIT_OK
    out = capsys.readouterr()
    expected = [] if quiet else ["warning: 2 of 3 frames ask for poses the model never saw"]
    assert [line for line in out.err.splitlines() if line.startswith("warning")] == expected
    assert "warning" not in out.out or as_json  # the JSON summary keeps them; key: value lines do not
