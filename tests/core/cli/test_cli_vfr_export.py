"""A variable-frame-rate clip exports with its frame times: each frame within half a frame
period of its source time, and the stream-copied audio keeps the same offset as the picture."""

from __future__ import annotations

import shutil

import av
import numpy as np
import pytest

from render_core.media.probe import probe
from tests.core.media.chirp import AAC_PACKET_S, audio_packets, vfr_chirp_clip


@pytest.fixture(scope="module")
def vfr_master(tmp_path_factory):
    return vfr_chirp_clip(tmp_path_factory.mktemp("vfr") / "vfr.mp4", frames=40)


def frame_time_errors(source, output, start: int) -> np.ndarray:
    """|output time - source time| of each exported frame, both from the export's first frame."""
    src, out = probe(source).timestamps, probe(output).timestamps
    src_rel = np.array([src[start + k] - src[start] for k in range(len(out))])
    return np.abs(np.array(out) - out[0] - src_rel)


def picture_offset(source, output, start: int) -> float:
    """Output time minus source time of the export's first frame (absolute stream times)."""
    return probe(output).timestamps[0] - probe(source).timestamps[start]


def audio_offsets(source, output) -> np.ndarray:
    """Output time minus source time of every copied audio packet (a chirp's packets are unique)."""
    where = {payload: t for t, payload in audio_packets(source)}
    return np.array([t - where[payload] for t, payload in audio_packets(output) if payload in where])


def same_frames(source, output, start: int) -> bool:
    """Output frame k shows source frame start + k (no frame dropped or doubled)."""
    with av.open(str(source)) as a, av.open(str(output)) as b:
        src = [f.to_ndarray(format="rgb24").astype(float) for f in a.decode(video=0)]
        out = [f.to_ndarray(format="rgb24").astype(float) for f in b.decode(video=0)]
    return all(
        np.abs(o - src[start + k]).mean() < np.abs(o - src[start + k + 1]).mean()
        for k, o in enumerate(out[:-1])
    )


def check_sync(source, output, start: int, pictures: bool = True) -> None:
    """Frame times within half the shortest source period; `pictures`: the output shows the
    source's own frames; the audio offset equals the picture's within one AAC packet."""
    periods = np.diff(probe(source).timestamps)
    errors = frame_time_errors(source, output, start)
    assert errors.max() < periods.min() / 2, f"max frame time error {errors.max():.4f} s"
    assert not pictures or same_frames(source, output, start)
    offsets = audio_offsets(source, output)
    assert len(offsets) > 10
    assert np.abs(offsets - picture_offset(source, output, start)).max() <= AAC_PACKET_S


@pytest.mark.parametrize("frames", ["0:", "5:33"])
def test_render_keeps_each_vfr_frame_at_its_source_time_with_audio_in_sync(cli, tmp_path, vfr_master, frames):
    clip = shutil.copy(vfr_master, tmp_path / "vfr.mp4")
    proj = tmp_path / "p.rfproj"
    assert cli("project", "new", clip, "-o", proj, "--quiet").returncode == 0
    out = tmp_path / "o.mp4"
    r = cli("render", proj, "-o", out, "--frames", frames, "--quiet")
    assert r.returncode == 0, r.stderr
    start = int(frames.split(":")[0])
    assert probe(out).frame_count == (40 if frames == "0:" else 28)
    check_sync(clip, out, start)


def test_a_vfr_driving_clip_sets_the_output_times(tmp_path, vfr_master, tiny_clip_master):
    """Reenact and transfer export on the driving clip's timebase: a VFR driver's times hold."""
    from render_core.jobs import JobContext
    from render_core.project.driven import add_clip
    from render_core.project.io import new_project, save_project
    from render_core.render.pipeline import RenderConfig, render_clip

    target = shutil.copy(tiny_clip_master, tmp_path / "target.mp4")
    driving = shutil.copy(vfr_master, tmp_path / "vfr.mp4")
    project, ref = add_clip(new_project(tmp_path / "p.rfproj", target), driving, driving=True)
    project = save_project(project, project.folder)
    out = tmp_path / "o.mp4"
    cfg = RenderConfig(output=str(out), frames=(2, None), timebase=ref.id, audio_clip=ref.id)
    render_clip(project, cfg, JobContext())
    assert probe(out).frame_count == 38
    check_sync(driving, out, 2, pictures=False)  # the pictures are the target's plates
