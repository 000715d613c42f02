import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from render_core.edits.layer import EditLayer
from render_core.edits.params import ExpressionParams, ViewpointParams
from render_core.errors import InputError
from render_core.media.clip_info import AudioInfo, ClipInfo
from render_core.project.autosave import find_recovery, load_recovery, write_autosave
from render_core.project.document import SCHEMA_VERSION, CameraPathSettings, ModelRef
from render_core.project.io import (
    load_image_set_document,
    load_project,
    new_project,
    project_file,
    rebased,
    save_project,
)
from render_core.project.migrations import migrate

REPO = Path(__file__).resolve().parents[3]


def _probe(path: Path) -> ClipInfo:
    return ClipInfo(str(path), "abc123", 176, 144, 30, 1, 90, 3.0, audio=AudioInfo("aac", 48000, 2))


@pytest.fixture
def project(tmp_path):
    clip = tmp_path / "footage" / "clip.mp4"
    clip.parent.mkdir()
    clip.write_bytes(b"not really a video")
    p = new_project(tmp_path / "demo", clip, probe=_probe)
    layer = EditLayer("expression", 0, 30, {10: ExpressionParams(jaw_open=0.8)}, name="talk")
    return p.with_timeline(p.timeline.add_layer(layer)).with_model(
        ModelRef("m1", "portrait", "models/m1", "preview-cpu", {"psnr": 27.5})
    )


def test_new_project_layout_and_round_trip(project):
    folder = project.folder
    assert (
        folder.name == "demo.rfproj" and (folder / "cache/tracks").is_dir() and (folder / "models").is_dir()
    )
    assert project.clips[0].path == "../footage/clip.mp4" and project.target_clip == "clip1"
    save_project(project, folder)
    back = load_project(folder)
    assert back == project
    assert back.clip_path("clip1") == (folder.parent / "footage" / "clip.mp4").resolve()
    assert back.target().info.audio.codec == "aac"


def test_load_errors_are_one_line_input_errors(project, tmp_path):
    doc = save_project(project, project.folder) and project_file(project.folder)
    doc.write_text("{ broken")
    with pytest.raises(InputError, match="not valid JSON"):
        load_project(project.folder)
    d = project.to_json()
    d["schema_version"] = 99
    doc.write_text(json.dumps(d))
    with pytest.raises(InputError, match="schema_version 99 is newer"):
        load_project(doc)
    save_project(project, project.folder)
    (tmp_path / "footage" / "clip.mp4").unlink()
    with pytest.raises(InputError, match=r"missing clip file\(s\): ../footage/clip.mp4 \(clip clip1\)"):
        load_project(project.folder)
    assert load_project(project.folder, check_clips=False).name == "demo"


def test_save_as_rebases_relative_paths(project, tmp_path):
    moved = save_project(project, tmp_path / "elsewhere" / "deep" / "copy.rfproj")
    assert moved.clips[0].path == "../../../footage/clip.mp4"
    assert load_project(moved.folder).clip_path("clip1") == project.clip_path("clip1")


def test_failed_replace_leaves_previous_file(project, monkeypatch):
    doc = project_file(project.folder)
    before = doc.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        save_project(project.with_timeline(project.timeline.__class__()), project.folder)
    monkeypatch.undo()
    assert doc.read_bytes() == before
    assert not list(project.folder.glob("*.part*"))


def test_save_killed_mid_write_leaves_previous_file(project):
    doc = project_file(project.folder)
    before = doc.read_bytes()
    script = f"""
import os, sys, time
sys.path.insert(0, {str(REPO)!r})
from render_core.edits.layer import EditLayer
from render_core.edits.params import ExpressionParams, ViewpointParams
from render_core.project.io import load_project, save_project
p = load_project({str(project.folder)!r})
kfs = {{f: ExpressionParams(smile=0.5) for f in range(2000)}}
layers = [EditLayer("expression", 0, 9999, kfs) for _ in range(40)]
for layer in layers:
    p = p.with_timeline(p.timeline.add_layer(layer))
real_fsync = os.fsync
def slow_fsync(fd):
    print("writing", flush=True)
    time.sleep(60)
os.fsync = slow_fsync
save_project(p, {str(project.folder)!r})
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"  # the big .part file is written, not yet swapped
        part = list(project.folder.glob("project.part*"))
        assert part and part[0].stat().st_size > 1_000_000
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert doc.read_bytes() == before
    assert load_project(project.folder).to_json() == json.loads(before)


def test_migration_from_v0():
    v0 = {
        "name": "old",
        "clips": [{"id": "c", "path": "a.mp4", "hash": "h1", "info": None}],
        "target": "c",
        "edits": {"layers": [{"id": "l1", "kind": "gaze", "start": 0, "end": 4,
                              "keyframes": [{"frame": 0, "params": {"horizontal": 5}}]}]},
    }  # fmt: skip
    d = migrate(v0, 1)
    assert d["schema_version"] == 1 and d["clips"][0]["content_hash"] == "h1" and d["target_clip"] == "c"
    assert d["export"] == {} and d["renderer"] == "warp" and d["models"] == []
    with pytest.raises(InputError, match="newer"):
        migrate({"schema_version": 2}, 1)


def test_v0_file_loads(tmp_path):
    folder = tmp_path / "old.rfproj"
    folder.mkdir()
    (tmp_path / "a.mp4").write_bytes(b"x")
    (folder / "project.json").write_text(
        json.dumps({"name": "old", "clips": [{"id": "c", "path": "../a.mp4", "hash": "h"}], "target": "c"})
    )
    p = load_project(folder)
    assert p.schema_version == SCHEMA_VERSION and p.target().content_hash == "h" and p.export.crf == 18
    assert p.camera_path is None


def test_a_v1_document_is_a_clip_projects_and_gets_no_camera_path(project):
    d = project.to_json()
    del d["camera_path"]
    d["schema_version"] = 1
    assert migrate(d, 2) == {**project.to_json(), "schema_version": 2}


def test_an_image_set_document_round_trips_with_its_path_and_keys(tmp_path):
    folder = tmp_path / "set"  # a capture's folder (any name)
    folder.mkdir()
    fresh = load_image_set_document(folder)  # never saved: the default orbit, no keys
    assert fresh.camera_path == CameraPathSettings() and fresh.timeline.layers == ()
    assert fresh.folder == folder.resolve()
    layer = EditLayer("viewpoint", 0, 59, {12: ViewpointParams(orbit_yaw=25.0)})
    edited = fresh.with_timeline(fresh.timeline.add_layer(layer))
    saved = save_project(replace(edited, camera_path=CameraPathSettings("smooth", 60)), folder)
    back = load_image_set_document(folder)
    assert back == saved and back.camera_path.path == "smooth" and back.timeline.layers[0].keyframes
    assert json.loads((folder / "project.json").read_text())["camera_path"]["frames"] == 60


def test_a_clip_projects_document_is_not_taken_for_an_image_sets(project):
    save_project(project, project.folder)
    with pytest.raises(InputError, match="clip project"):
        load_image_set_document(project.folder)


def test_a_camera_path_file_is_rebased_on_save_as(tmp_path):
    a = replace(load_image_set_document(tmp_path / "a"), camera_path=CameraPathSettings("paths/p.json"))
    moved = rebased(a, (tmp_path / "elsewhere" / "b").resolve())
    assert moved.camera_path.path == "../../a/paths/p.json"


def test_autosave_recovery(project):
    save_project(project, project.folder)
    assert find_recovery(project.folder) is None
    time.sleep(0.01)
    edited = project.with_timeline(project.timeline.__class__())
    auto = write_autosave(edited, project.folder)
    assert auto.name == "project.autosave.json"
    assert find_recovery(project.folder) == auto
    assert load_recovery(project.folder).timeline.layers == ()
    save_project(edited, project.folder)  # a normal save supersedes the autosave
    assert find_recovery(project.folder) is None and not auto.exists()
