"""Stills and damaged clips: a JPEG still reads like a PNG one, and frames a clip cannot
deliver are reported as a `warning:` line, not only in a log."""

from __future__ import annotations

import pytest

from render_core.errors import InputError
from tests import corpus


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_a_still_becomes_a_project_and_renders_one_frame(cli, tmp_path, suffix):
    from render_core.media.probe import probe

    still = corpus.make_still(tmp_path / f"still{suffix}")
    proj = tmp_path / "p.rfproj"
    assert cli("project", "new", still, "-o", proj, "--quiet").returncode == 0
    r = cli("render", proj, "-o", tmp_path / "o.mp4", "--quiet")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert probe(tmp_path / "o.mp4").frame_count == 1


def test_track_warns_when_the_clip_stops_decoding(cli, tmp_path, tiny_clip_master, monkeypatch):
    from render_core.media.decode import VideoReader

    real = VideoReader._advance_to

    def damaged_after_3(self, index):
        if index >= 3:
            raise InputError(self.path, f"frame {index} cannot be decoded (the file is damaged there)")
        return real(self, index)

    monkeypatch.setattr(VideoReader, "_advance_to", damaged_after_3)
    r = cli("track", tiny_clip_master, "--project", tmp_path / "p", "--no-face")
    assert r.returncode == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "frames from 3 on cannot be decoded" in warnings[0], r.stderr
    assert "tiny.mp4" in warnings[0]
