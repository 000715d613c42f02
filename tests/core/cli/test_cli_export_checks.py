"""An export is checked whole before any work starts: a frame range with nothing to encode and
encoder options x264 cannot use are one `error:` line, exit 2, and nothing is written."""

from __future__ import annotations

import pytest

from tests.core.cli.conftest import one_error_naming


def with_body_model(project_folder) -> None:
    """Register a body model reference, so `transfer` gets past its model lookup."""
    from render_core.project.document import ModelRef
    from render_core.project.io import load_project, save_project

    p = load_project(project_folder)
    save_project(p.with_model(ModelRef("body1", "body", "models/body1")), project_folder)


@pytest.mark.parametrize("command", ["render", "reenact", "transfer"])
def test_a_range_past_the_end_is_refused_before_any_work(cli, tiny_project, tmp_path, command):
    out = tmp_path / "new" / "o.mp4"
    driving = ("--driving", tiny_project.parent / "driving.mp4")
    if command == "render":
        r = cli("render", tiny_project, "-o", out, "--frames", "500:600", "--quiet")
    else:
        if command == "transfer":
            with_body_model(tiny_project)
        r = cli(command, "--project", tiny_project, *driving, "-o", out, "--frames", "500:600", "--quiet")
    error = one_error_naming(r, "p.rfproj")
    length = 16 if command == "transfer" else 12  # transfer follows the driving clip's timebase
    assert "500:600 hold nothing to export" in error and f"has {length} frames" in error
    assert not (tmp_path / "new").exists()  # no empty output folder either
    assert not list((tiny_project / "cache" / "tracks").iterdir())  # no tracking was started


def test_a_range_clipped_at_the_end_still_exports(cli, tiny_project, tmp_path):
    from render_core.media.probe import probe

    out = tmp_path / "o.mp4"
    r = cli("render", tiny_project, "-o", out, "--frames", "9:600", "--quiet")
    assert r.returncode == 0, r.stderr
    assert probe(out).frame_count == 3


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("--height", "0", "--height 0"),
        ("--height", "-10", "--height -10"),
        ("--height", "99999", "--height 99999"),
        ("--crf", "99", "--crf 99"),
        ("--crf", "-1", "--crf -1"),
        ("--preset", "warpspeed", "'warpspeed'"),
    ],
)
def test_render_options_x264_cannot_use_are_refused(cli, tiny_project, tmp_path, option, value, named):
    out = tmp_path / "o.mp4"
    r = cli("render", tiny_project, "-o", out, option, value, "--quiet")
    assert named in one_error_naming(r, "p.rfproj")
    assert not out.exists()


@pytest.mark.parametrize("command", ["reenact", "transfer"])
def test_reenact_and_transfer_check_their_encoder_options_first(cli, tiny_project, tmp_path, command):
    with_body_model(tiny_project)
    driving = ("--driving", tiny_project.parent / "driving.mp4")
    r = cli(command, "--project", tiny_project, *driving, "-o", tmp_path / "o.mp4", "--crf", "99", "--quiet")
    assert "--crf 99" in one_error_naming(r, "p.rfproj")
    assert not list((tiny_project / "cache" / "tracks").iterdir())
