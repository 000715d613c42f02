"""`verify`: every export carries Content Credentials that hold, and a changed byte of the
video stream makes `verify` fail with one line naming the file."""

from __future__ import annotations

from tests.core.cli.test_cli_render_formats import new_project
from tests.core.cli.test_cli_track import last_json, run_main
from tests.core.provenance.test_sign_and_verify import flip_byte, video_byte_offset


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_an_edited_export_verifies_and_a_tampered_copy_does_not(tmp_path):
    clip, proj = new_project(tmp_path, frames=8)
    edit = (
        "edit",
        str(proj),
        "expression",
        "--at",
        "2",
        "--set",
        "jaw_open=0.5",
        "--range",
        "2:6",
        "--quiet",
    )
    assert run_main(*edit).returncode == 0
    out = tmp_path / "out.mp4"
    assert run_main("render", str(proj), "-o", str(out), "--quiet").returncode == 0
    r = run_main("verify", str(out), "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    s = last_json(r.stdout)
    assert (s["signature"], s["hard_binding"], s["action"]) == ("valid", "valid", "c2pa.edited")
    assert s["digital_source_type"] == "algorithmicMedia" and s["renderer"] == "warp"
    assert s["edits"] == ["expression 2-5"] and "clip.mp4" in s["source"]
    flip_byte(out, video_byte_offset(out))
    r = run_main("verify", str(out), "--quiet")
    assert r.returncode == 2 and len(error_lines(r.stderr)) == 1, r.stderr
    assert str(out) in error_lines(r.stderr)[0] and "changed after signing" in r.stderr


def test_an_unsigned_file_and_a_png_sequence(tmp_path):
    clip, proj = new_project(tmp_path, frames=4)
    r = run_main("verify", str(clip), "--quiet")
    assert r.returncode == 2 and error_lines(r.stderr) == [f"error: {clip}: carries no Content Credentials"]
    seq = tmp_path / "seq"
    assert run_main("render", str(proj), "-o", str(seq), "--format", "png", "--quiet").returncode == 0
    assert (seq / "manifest.c2pa").is_file()
    r = run_main("verify", str(seq), "--json", "--quiet")
    assert r.returncode == 0 and last_json(r.stdout)["hard_binding"] == "valid", r.stderr
