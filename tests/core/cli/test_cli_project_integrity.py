"""A malformed project document and a clip replaced under its project are one `error:` line,
exit 2: never an AttributeError, never a render of the wrong footage without a word."""

from __future__ import annotations

import json

import pytest

from tests import corpus
from tests.core.cli.conftest import one_error_naming


@pytest.mark.parametrize(
    ("key", "value"),
    [("clips", "not a list"), ("clips", ["clip1"]), ("models", {"a": 1}), ("driving_clips", "c")],
)
def test_a_malformed_document_names_the_project_file(cli, tiny_project, key, value):
    doc = tiny_project / "project.json"
    d = json.loads(doc.read_text())
    d[key] = value
    doc.write_text(json.dumps(d))
    r = cli("project", "show", tiny_project, "--quiet")
    assert f"'{key}' must" in one_error_naming(r, "project.json")


@pytest.mark.parametrize("frames", [5, 12], ids=["shorter", "same-length"])
def test_a_clip_replaced_under_the_project_is_refused(cli, tiny_project, tmp_path, frames):
    clip = tiny_project.parent / "clip.mp4"
    corpus.make_clip(clip, frames=frames, size=(64, 48), pattern="gradients")
    out = tmp_path / "o.mp4"
    r = cli("render", tiny_project, "-o", out, "--quiet")
    assert "has changed since it was added" in one_error_naming(r, "clip.mp4")
    assert not out.exists()
