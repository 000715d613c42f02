"""A driving clip without what its layer follows (a face to reenact, a whole body to transfer)
is one `error:` line naming it, exit 2, before the layer is saved: never an export whose every
frame counts as edited while nothing moved. (The subjectless clip is smooth gradients: the
sharp test pattern at 64x48 fools the face detector.)"""

from __future__ import annotations

import shutil

from tests.core.cli.conftest import one_error_naming
from tests.core.cli.test_cli_export_checks import with_body_model


def new_project(tmp_path, target):
    from render_core.project.io import new_project

    clip = shutil.copy(target, tmp_path / f"target{target.suffix}")
    new_project(tmp_path / "p.rfproj", clip)
    return tmp_path / "p.rfproj"


def layers(project_folder) -> list:
    from render_core.project.io import load_project

    return list(load_project(project_folder).timeline.layers)


def test_reenact_from_a_clip_without_a_face(cli, tmp_path, talking_head_10, tiny_driving_master):
    proj = new_project(tmp_path, talking_head_10)
    driving = shutil.copy(tiny_driving_master, tmp_path / "pattern.mp4")
    r = cli("reenact", "--project", proj, "--driving", driving, "-o", tmp_path / "o.mp4", "--quiet")
    assert "no face is found" in one_error_naming(r, "pattern.mp4")
    assert layers(proj) == [] and not (tmp_path / "o.mp4").exists()


def test_transfer_from_a_clip_without_a_person(cli, tmp_path, talking_head_10, tiny_driving_master):
    proj = new_project(tmp_path, talking_head_10)
    with_body_model(proj)
    driving = shutil.copy(tiny_driving_master, tmp_path / "pattern.mp4")
    r = cli("transfer", "--project", proj, "--driving", driving, "-o", tmp_path / "o.mp4", "--quiet")
    assert "no person is found" in one_error_naming(r, "pattern.mp4")
    assert layers(proj) == []


def test_transfer_from_a_clip_without_a_whole_body(cli, tmp_path, talking_head_10, tiny_clip_master):
    proj = new_project(tmp_path, tiny_clip_master)
    with_body_model(proj)
    driving = shutil.copy(talking_head_10, tmp_path / "head.mp4")
    r = cli("transfer", "--project", proj, "--driving", driving, "-o", tmp_path / "o.mp4", "--quiet")
    assert "no frame shows the whole body" in one_error_naming(r, "head.mp4")
    assert layers(proj) == []


def test_render_checks_the_driving_subject_of_a_saved_layer(
    cli, tmp_path, talking_head_10, tiny_driving_master
):
    """A layer saved earlier (or by the studio) over a faceless driving clip: the same line."""
    proj = new_project(tmp_path, talking_head_10)
    driving = shutil.copy(tiny_driving_master, tmp_path / "pattern.mp4")
    r = cli("edit", proj, "reenact_face", "--at", "0", "--driving", driving, "--set", "strength=1", "--quiet")
    assert r.returncode == 0, r.stderr
    r = cli("render", proj, "-o", tmp_path / "o.mp4", "--quiet")
    assert "no face is found" in one_error_naming(r, "pattern.mp4")
