"""`edit` refuses what the render could not use (a keyframe outside its layer, unknown reenact
channels, neutral frames outside their clips), and re-editing keeps a layer's other settings."""

from __future__ import annotations

from tests.core.cli.conftest import one_error_naming


def reenact_settings(project_folder) -> dict:
    from render_core.project.io import load_project

    (layer,) = [ly for ly in load_project(project_folder).timeline.layers if ly.kind == "reenact_face"]
    return dict(layer.settings)


def test_a_keyframe_outside_the_layer_is_refused(cli, tiny_project):
    ok = cli(
        "edit", tiny_project, "expression", "--at", "2", "--range", "0:5", "--set", "smile=0.5", "--quiet"
    )
    assert ok.returncode == 0, ok.stderr
    before = (tiny_project / "project.json").read_text()
    r = cli("edit", tiny_project, "expression", "--at", "8", "--set", "smile=0.9", "--quiet")
    assert "--at 8 is outside layer" in one_error_naming(r, "p.rfproj")
    assert (tiny_project / "project.json").read_text() == before


def test_a_new_layer_must_hold_its_keyframe(cli, tiny_project):
    r = cli(
        "edit", tiny_project, "expression", "--at", "9", "--range", "0:5", "--set", "smile=0.5", "--quiet"
    )
    assert "outside the new layer's --range 0:5" in one_error_naming(r, "p.rfproj")


def test_unknown_reenact_channels_are_refused(cli, tiny_project):
    driving = tiny_project.parent / "driving.mp4"
    r = cli(
        "edit", tiny_project, "reenact_face", "--at", "0", "--driving", driving,
        "--channels", "expression,teleport", "--set", "strength=1", "--quiet",
    )  # fmt: skip
    assert "teleport" in one_error_naming(r, "p.rfproj")


def test_neutral_frames_outside_their_clips_are_refused(cli, tiny_project):
    driving = tiny_project.parent / "driving.mp4"
    args = ("edit", tiny_project, "reenact_face", "--at", "0", "--driving", driving, "--set", "strength=1")
    r = cli(*args, "--neutral", "9999", "9999", "--quiet")
    assert "--neutral frame 9999 is outside the clip (0..11)" in one_error_naming(r, "clip.mp4")
    r = cli(*args, "--neutral", "3", "16", "--quiet")
    assert "--neutral frame 16 is outside the clip (0..15)" in one_error_naming(r, "driving.mp4")


def test_re_editing_only_the_neutral_frames_keeps_the_channels(cli, tiny_project):
    driving = tiny_project.parent / "driving.mp4"
    first = cli(
        "edit", tiny_project, "reenact_face", "--at", "0", "--driving", driving,
        "--channels", "gaze", "--set", "strength=1", "--quiet",
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    again = cli(
        "edit", tiny_project, "reenact_face", "--at", "0", "--neutral", "3", "4", "--set", "strength=1"
    )
    assert again.returncode == 0, again.stderr
    s = reenact_settings(tiny_project)
    assert s["channels"] == ["gaze"] and (s["target_neutral_frame"], s["driving_neutral_frame"]) == (3, 4)
