"""What reaches stderr: an `error:` line of its own even after a progress bar in a pipe, one
line for an argument error, and a `warning:` for an export that succeeded but not as asked
(edits that found no face, a size padded to even)."""

from __future__ import annotations

import json
import shutil

from render_core.media.probe import probe


def whole_lines(stderr: str) -> list[str]:
    """Lines as a pipe reader sees them: only `\\n` ends one (a bar's `\\r` does not)."""
    return stderr.split("\n")


def test_an_error_after_the_progress_bar_starts_its_own_line(cli, tiny_project, tmp_path):
    r = cli("render", tiny_project, "-o", tmp_path / "o.mp4", "--frames", "500:600")  # no --quiet
    assert r.returncode == 2
    errors = [line for line in whole_lines(r.stderr) if line.startswith("error:")]
    assert len(errors) == 1 and "hold nothing to export" in errors[0], repr(r.stderr)


def test_a_missing_argument_is_one_line(cli, tiny_project):
    r = cli("render", tiny_project)
    assert r.returncode == 2
    assert whole_lines(r.stderr.rstrip("\n")) == [
        "error: main.py render: the following arguments are required: -o/--output (see main.py render --help)"
    ]


def test_an_edit_on_a_clip_without_a_face_warns(cli, tmp_path, tiny_driving_master):
    from render_core.project.io import new_project

    new_project(tmp_path / "p.rfproj", shutil.copy(tiny_driving_master, tmp_path / "plain.mp4"))
    proj = tmp_path / "p.rfproj"
    assert cli("edit", proj, "expression", "--at", "2", "--set", "smile=0.5", "--quiet").returncode == 0
    r = cli("render", proj, "-o", tmp_path / "o.mp4", "--json")
    assert r.returncode == 0, r.stderr
    warnings = [line for line in whole_lines(r.stderr) if line.startswith("warning:")]
    assert len(warnings) == 1 and "16 of 16 frames with edits came out unedited" in warnings[0], r.stderr


def test_an_odd_size_is_padded_with_a_warning(cli, tiny_project, tmp_path):
    out = tmp_path / "o.mp4"
    r = cli("render", tiny_project, "-o", out, "--height", "49")
    assert r.returncode == 0, r.stderr
    warnings = [line for line in whole_lines(r.stderr) if line.startswith("warning:")]
    assert warnings == [
        "warning: 65x49 is padded to 66x50 (edge repeated): H.264 MP4 (delivery) needs even sizes"
    ]
    info = probe(out)
    assert (info.width, info.height) == (66, 50)


def test_an_argument_error_with_json_still_ends_with_one_json_object(cli, tiny_project):
    r = cli("render", tiny_project, "--json")
    assert r.returncode == 2 and json.loads(r.stdout.strip().splitlines()[-1])["status"] == "error"


def test_a_render_that_stops_at_damage_warns_and_counts_what_it_wrote(
    cli, tiny_project, tmp_path, monkeypatch
):
    from render_core.errors import InputError
    from render_core.media.decode import VideoReader

    real = VideoReader._advance_to

    def damaged_after_5(self, index):
        if index >= 5 and self.path.endswith("clip.mp4"):
            raise InputError(self.path, f"frame {index} cannot be decoded (the file is damaged there)")
        return real(self, index)

    monkeypatch.setattr(VideoReader, "_advance_to", damaged_after_5)
    out = tmp_path / "o.mp4"
    r = cli("render", tiny_project, "-o", out, "--json")
    assert r.returncode == 0, r.stderr
    warnings = [line for line in whole_lines(r.stderr) if line.startswith("warning:")]
    assert len(warnings) == 1 and "frames from 5 on cannot be decoded" in warnings[0], r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1])["frames"] == 5 == probe(out).frame_count
