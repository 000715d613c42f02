"""A batch never renders two projects into one file: same-named projects get distinct names
(`<parent folder>-<name>`), and a project given twice is one `error:` line."""

from __future__ import annotations

import shutil

from render_core.cli.cmd_render import batch_names
from tests.core.cli.conftest import one_error_naming


def test_same_named_projects_render_to_distinct_files(cli, tmp_path, tiny_clip_master, tiny_driving_master):
    from render_core.media.probe import probe
    from render_core.project.io import new_project

    for sub, clip in (("a", tiny_clip_master), ("b", tiny_driving_master)):
        (tmp_path / sub).mkdir()
        new_project(tmp_path / sub / "good.rfproj", shutil.copy(clip, tmp_path / sub / "clip.mp4"))
    out = tmp_path / "out"
    r = cli("render", tmp_path / "a" / "good.rfproj", tmp_path / "b" / "good.rfproj", "-o", out, "--quiet")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a-good.mp4", "b-good.mp4"]
    assert probe(out / "a-good.mp4").frame_count == 12 and probe(out / "b-good.mp4").frame_count == 16


def test_a_project_given_twice_is_an_error(cli, tiny_project, tmp_path):
    r = cli("render", tiny_project, tiny_project / "project.json", "-o", tmp_path / "out", "--quiet")
    assert "is given twice" in one_error_naming(r, "project.json")
    assert not (tmp_path / "out").exists()


def test_names_stay_plain_unless_they_clash():
    assert batch_names(["x/one.rfproj", "y/two.rfproj"]) == ["one", "two"]
    assert batch_names(["x/good.rfproj", "y/good.rfproj", "z/x-good.rfproj"]) == [
        "x-good",
        "y-good",
        "x-good-2",
    ]
