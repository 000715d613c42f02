"""What the manifest says about an export: pure, no signing."""

from __future__ import annotations

from render_core.provenance.manifest import (
    EDITS_LABEL,
    FILES_LABEL,
    IPTC,
    build_manifest,
    edit_ranges,
    mime_type,
    with_files,
)
from tests.core.provenance.conftest import layer, record


def assertion(manifest: dict, label: str) -> dict:
    return next(a["data"] for a in manifest["assertions"] if a["label"] == label)


def test_the_edited_action_names_the_source_type_of_the_renderer():
    for renderer, family, kind in [
        ("warp", None, "algorithmicMedia"),
        ("m1", "portrait", "trainedAlgorithmicMedia"),
    ]:
        actions = assertion(build_manifest(record(renderer, family)), "c2pa.actions.v2")["actions"]
        assert [a["action"] for a in actions] == ["c2pa.opened", "c2pa.edited"]
        assert actions[1]["digitalSourceType"] == IPTC + kind
        assert actions[1]["description"] == "expression 2-7"


def test_the_source_clip_is_an_ingredient_named_by_its_content_hash():
    m = build_manifest(record())
    (ingredient,) = m["ingredients"]
    assert ingredient["relationship"] == "parentOf" and ingredient["title"] == "clip.mp4"
    assert ingredient["instance_id"].endswith("0123456789abcdef")
    assert assertion(m, "c2pa.actions.v2")["actions"][0]["parameters"]["ingredientIds"] == [
        ingredient["label"]
    ]


def test_the_edits_assertion_carries_renderer_model_and_frame_ranges():
    data = assertion(build_manifest(record("m1", "body")), EDITS_LABEL)
    assert data["renderer"] == "m1" and data["model"] == "m1" and data["family"] == "body"
    assert data["edits"] == [{"kind": "expression", "name": "smile", "start": 2, "end": 7}]
    assert data["frames"] == {"start": 0, "stop": 12}
    assert data["source"]["content_hash"] == "0123456789abcdef"
    assert assertion(build_manifest(record()), EDITS_LABEL)["model"] is None


def test_edit_ranges_keep_layers_that_change_exported_frames_clipped_to_them():
    layers = [
        layer("expression", 5, 40),
        layer("head_pose", 0, 3),  # before the range
        layer("gaze", 10, 20, keyed=False),  # no keyframes: draws nothing
        layer("body_pose", 10, 20, enabled=False),
    ]
    ranges = edit_ranges(layers, (8, 30))
    assert [(r.kind, r.start, r.end) for r in ranges] == [("expression", 8, 29)]


def test_with_files_adds_the_frame_list_without_touching_the_rest():
    m = build_manifest(record(title="seq"))
    listed = with_files(m, [("seq_000000.png", "ab" * 32)])
    assert assertion(listed, FILES_LABEL)["files"] == [{"name": "seq_000000.png", "hash": "ab" * 32}]
    assert FILES_LABEL not in [a["label"] for a in m["assertions"]]


def test_mime_types_of_exports():
    assert mime_type("a/out.MP4") == "video/mp4" and mime_type("x.mov") == "video/quicktime"
    assert mime_type("frames") == "image/png" and mime_type("out.mkv") is None
