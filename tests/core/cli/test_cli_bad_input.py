"""The bad-input corpus through the CLI: correct handling (exit 0) or exactly one error line
naming the file, exit 2, no traceback. Never a crash."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests import corpus
from tests.core.cli.test_cli_track import last_json, run_main


def _truncated(tmp, fraction):
    src = corpus.make_clip(tmp / "src.mp4", frames=60, faststart=True)
    return corpus.make_truncated(src, tmp / "clip.mp4", fraction)


CASES = {
    "zero_frames": lambda tmp: corpus.make_zero_frame(tmp / "clip.mp4"),
    "truncated_5": lambda tmp: _truncated(tmp, 0.05),
    "truncated_50": lambda tmp: _truncated(tmp, 0.50),
    "audio_only": lambda tmp: corpus.make_audio_only(tmp / "clip.mp4"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_clips_exit_2_or_salvage(tmp_path, case):
    clip = CASES[case](tmp_path)
    r = run_main("track", str(clip), "--project", str(tmp_path / "p"), "--json", "--quiet")
    assert "Traceback" not in r.stderr
    if r.returncode == 0:  # salvaged: the decodable frames were tracked
        assert last_json(r.stdout)["frames"] > 0
        return
    assert r.returncode == 2, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "clip.mp4" in errors[0], r.stderr


def test_clip_without_face_reports_ranges_and_tracks_body(tmp_path):
    clip = corpus.make_clip(tmp_path / "pattern.mp4", frames=20)
    r = run_main("track", str(clip), "--project", str(tmp_path / "p"), "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    d = last_json(r.stdout)
    assert d["face_valid"] == 0 and d["no_face_ranges"] == [[0, 19]]


@pytest.mark.parametrize("kind", ["rotated", "vfr", "no_audio"])
def test_unusual_but_valid_clips_track(tmp_path, kind, small_talking_head):
    if kind == "rotated":
        clip = corpus.make_rotated(small_talking_head, tmp_path / "clip.mp4", 90)
    elif kind == "vfr":
        clip = corpus.make_vfr(tmp_path / "clip.mp4")
    else:
        clip = corpus.make_no_audio(tmp_path / "clip.mp4")
    r = run_main(
        "track", str(clip), "--project", str(tmp_path / "p"), "--frames", "0:20", "--json", "--quiet"
    )
    assert r.returncode == 0, r.stderr
    d = last_json(r.stdout)
    assert d["frames"] == 20
    if kind == "rotated":  # the face is found in the upright (rotation-applied) frames
        assert d["face_valid"] >= 19


def test_render_refuses_to_write_over_the_projects_clip(tmp_path):
    clip = corpus.make_clip(tmp_path / "clip.mp4", frames=8)
    before = clip.read_bytes()
    proj = tmp_path / "p.rfproj"
    assert run_main("project", "new", str(clip), "-o", str(proj), "--quiet").returncode == 0
    r = run_main("render", str(proj), "-o", str(tmp_path / "." / "clip.mp4"), "--quiet")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "clip.mp4" in errors[0] and "replace the footage" in errors[0], r.stderr
    assert clip.read_bytes() == before  # the footage is untouched
    r = run_main("render", str(proj), "-o", str(tmp_path / "new" / "out.mp4"), "--quiet")
    assert r.returncode == 0 and (tmp_path / "new" / "out.mp4").exists()  # a missing folder is made


def test_render_exports_the_marked_range_unless_told_otherwise(tmp_path):
    import json

    from render_core.media.probe import probe

    clip = corpus.make_clip(tmp_path / "clip.mp4", frames=12)
    proj = tmp_path / "p.rfproj"
    assert run_main("project", "new", str(clip), "-o", str(proj), "--quiet").returncode == 0
    doc = json.loads((proj / "project.json").read_text())
    doc["timeline"]["in_out"] = [2, 6]  # as the studio saves I / O marks
    (proj / "project.json").write_text(json.dumps(doc))
    assert run_main("render", str(proj), "-o", str(tmp_path / "marked.mp4"), "--quiet").returncode == 0
    assert probe(tmp_path / "marked.mp4").frame_count == 5
    r = run_main("render", str(proj), "-o", str(tmp_path / "all.mp4"), "--frames", "0:", "--quiet")
    assert r.returncode == 0 and probe(tmp_path / "all.mp4").frame_count == 12


@pytest.mark.parametrize("kind", ["reenact_face", "transfer_body"])
def test_render_refuses_a_driven_layer_without_its_driving_clip(tmp_path, kind):
    """The layer would export unedited without a word: one line naming the layer instead."""
    from render_core.edits.layer import EditLayer
    from render_core.edits.params import PARAMS
    from render_core.project.io import load_project, save_project

    clip = corpus.make_clip(tmp_path / "clip.mp4", frames=8)
    proj = tmp_path / "p.rfproj"
    assert run_main("project", "new", str(clip), "-o", str(proj), "--quiet").returncode == 0
    p = load_project(proj)
    layer = EditLayer(kind, 0, 7, {2: PARAMS[kind](strength=1.0)}, name="Dance")
    save_project(p.with_timeline(p.timeline.add_layer(layer)), proj)
    out = tmp_path / "out.mp4"
    r = run_main("render", str(proj), "-o", str(out), "--quiet")
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "p.rfproj" in errors[0], r.stderr
    assert f"'Dance' ({kind}) has no driving clip" in errors[0]
    assert not out.exists()
    # Disabled, the layer asks for nothing and the export runs.
    p = load_project(proj)
    off = replace(p.timeline.layers[0], enabled=False)
    save_project(p.with_timeline(p.timeline.replace_layer(off)), proj)
    assert run_main("render", str(proj), "-o", str(out), "--quiet").returncode == 0
    assert out.exists()
