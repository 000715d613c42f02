"""`render --format`: ProRes MOV and PNG sequences end to end through the CLI, with the same
edit, audio and one-line-error rules as the MP4 export."""

from __future__ import annotations

import av
import cv2
import numpy as np

from render_core.media.decode import VideoReader
from tests import corpus
from tests.core.cli.test_cli_track import last_json, run_main


def new_project(tmp_path, frames: int = 12):
    clip = corpus.make_clip(tmp_path / "clip.mp4", frames=frames)
    proj = tmp_path / "p.rfproj"
    assert run_main("project", "new", str(clip), "-o", str(proj), "--quiet").returncode == 0
    return clip, proj


def test_render_to_mov_writes_prores_hq_with_the_audio_and_the_tag(tmp_path):
    _, proj = new_project(tmp_path)
    out = tmp_path / "out.mov"
    r = run_main("render", str(proj), "-o", str(out), "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    assert last_json(r.stdout)["format"] == "prores"
    with av.open(str(out)) as c:
        v = c.streams.video[0]
        assert v.codec_context.name == "prores" and v.codec_context.profile == "HQ"
        assert v.frames == 12 and c.streams.audio, "the source's audio is stream-copied"
        assert "SYNTHETICALLY EDITED" in c.metadata.get("comment", "")


def test_render_png_sequence_numbers_frames_from_the_range_start(tmp_path):
    clip, proj = new_project(tmp_path)
    out = tmp_path / "seq"
    r = run_main(
        "render", str(proj), "-o", str(out), "--format", "png", "--frames", "4:9", "--json", "--quiet"
    )
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.glob("*.png"))
    assert (out / "manifest.c2pa").is_file(), "its Content Credentials sit beside the frames"
    assert names == [f"seq_{k:06d}.png" for k in range(4, 9)]
    with VideoReader(clip) as reader:  # unedited frames are the decoded source, losslessly
        np.testing.assert_array_equal(cv2.imread(str(out / names[0]))[..., ::-1], reader.read(4))
    assert b"SYNTHETICALLY EDITED" in (out / names[0]).read_bytes()


def test_a_format_that_does_not_fit_the_output_is_one_line(tmp_path):
    _, proj = new_project(tmp_path, frames=4)
    for out, fmt in [("out.mp4", "prores"), ("out.png", "png")]:
        r = run_main("render", str(proj), "-o", str(tmp_path / out), "--format", fmt, "--quiet")
        errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
        assert r.returncode == 2 and len(errors) == 1 and out in errors[0], r.stderr
        assert not (tmp_path / out).exists()


def test_a_png_sequence_never_deletes_a_folder_of_other_files(tmp_path):
    _, proj = new_project(tmp_path, frames=4)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.docx").write_text("years of work")
    r = run_main("render", str(proj), "-o", str(folder), "--format", "png", "--quiet")
    assert r.returncode == 2 and "thesis.docx" in r.stderr, r.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.docx"]
