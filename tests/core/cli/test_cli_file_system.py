"""File-system failures are the user's to fix: one `error:` line naming the path, exit 2,
found before the work starts where it can be, and never a half file or half project left."""

from __future__ import annotations

import errno

import pytest

from tests.core.cli.conftest import one_error_naming
from tests.core.cli.faults import DISK_FULL, READ_ONLY, fail_writes


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if ".part" in p.name)


@pytest.mark.parametrize("command", ["render", "reenact", "transfer"])
def test_export_to_a_read_only_folder_stops_before_any_work(
    cli, tiny_project, tmp_path, monkeypatch, command
):
    out_dir = tmp_path / "ro"
    out_dir.mkdir()
    fail_writes(monkeypatch, out_dir, READ_ONLY)
    out = out_dir / "out.mp4"
    if command == "render":
        r = cli("render", tiny_project, "-o", out, "--quiet")
    else:
        r = cli(
            command,
            "--project",
            tiny_project,
            "--driving",
            tiny_project.parent / "driving.mp4",
            "-o",
            out,
            "--quiet",
        )
    assert "read-only" in one_error_naming(r, str(out))
    assert list(out_dir.iterdir()) == []


def test_disk_full_during_render_names_the_output_and_leaves_nothing(
    cli, tiny_project, tmp_path, monkeypatch
):
    from render_core.media.encode import VideoWriter

    real_mux, calls = VideoWriter._mux, []

    def filling_up(self, packets):
        calls.append(1)
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(self._tmp))
        real_mux(self, packets)

    monkeypatch.setattr(VideoWriter, "_mux", filling_up)
    out = tmp_path / "out" / "o.mp4"
    r = cli("render", tiny_project, "-o", out, "--quiet")
    error = one_error_naming(r, str(out))
    assert "no space left" in error and ".part" not in error
    assert not out.exists() and leftovers(tmp_path / "out") == []


def test_output_under_a_file_is_refused_up_front(cli, tiny_project, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "notes.txt" / "sub" / "o.mp4"
    r = cli("render", tiny_project, "-o", out, "--quiet")
    assert "is a file" in one_error_naming(r, str(out))
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_output_that_is_an_existing_folder_is_refused_before_rendering(
    cli, tiny_project, tmp_path, monkeypatch
):
    import render_core.render.sources as sources

    def no_work(*args, **kwargs):
        raise AssertionError("the tracking started before the output was checked")

    folder = tmp_path / "o.mp4"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    monkeypatch.setattr(sources, "load_sources", no_work)
    r = cli("render", tiny_project, "-o", folder, "--quiet")
    assert "existing folder" in one_error_naming(r, str(folder))
    assert (folder / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("code", [READ_ONLY, DISK_FULL])
def test_edit_on_an_unwritable_project_keeps_the_document(cli, tiny_project, monkeypatch, code):
    doc = tiny_project / "project.json"
    before = doc.read_text()
    fail_writes(monkeypatch, tiny_project, code)
    r = cli("edit", tiny_project, "expression", "--at", "2", "--set", "smile=0.5", "--quiet")
    one_error_naming(r, "project.json")
    assert doc.read_text() == before and leftovers(tiny_project) == []


@pytest.mark.parametrize(("code", "room_for_empty"), [(READ_ONLY, False), (DISK_FULL, True)])
def test_project_new_that_cannot_be_saved_leaves_nothing(
    cli, tiny_clip_master, tmp_path, monkeypatch, code, room_for_empty
):
    fail_writes(monkeypatch, tmp_path, code, room_for_empty)
    r = cli("project", "new", tiny_clip_master, "-o", tmp_path / "p.rfproj", "--quiet")
    one_error_naming(r, "p.rfproj")
    assert list(tmp_path.iterdir()) == []
