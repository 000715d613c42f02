"""Face reenactment end to end through the CLI on two shared clips: the target opens its mouth
where the driver does (relative to each clip's neutral frame), with the driver's audio."""

from __future__ import annotations

import numpy as np
import pytest

from render_core.media.decode import VideoReader
from render_core.tracking.retrack import retrack_face
from tests.conftest import footage_path
from tests.core.cli.test_cli_track import last_json, run_main
from tests.core.media.chirp import audio_packets, with_chirp

FRAMES = (62, 78)  # the driver (d18) yawns here; the target (d19) keeps its mouth closed


@pytest.mark.slow
def test_reenact_transfers_the_drivers_mouth_opening(tmp_path):
    target = footage_path("A_liveportrait_d19.mp4")
    # the shared clips' own audio is silence, whose AAC packets are all alike: a chirp's all differ
    driver = with_chirp(footage_path("A_liveportrait_d18.mp4"), tmp_path / "d18_chirp.mp4", 216 / 30)
    assert (
        run_main("project", "new", str(target), "-o", str(tmp_path / "t.rfproj"), "--quiet").returncode == 0
    )
    out = tmp_path / "reenact.mp4"
    r = run_main(
        "reenact",
        "--project",
        str(tmp_path / "t.rfproj"),
        "--driving",
        str(driver),
        "-o",
        str(out),
        "--frames",
        f"{FRAMES[0]}:{FRAMES[1]}",
        "--preset",
        "ultrafast",
        "--json",
        "--quiet",
    )
    assert r.returncode == 0, r.stderr
    summary = last_json(r.stdout)
    assert summary["frames"] == FRAMES[1] - FRAMES[0] and summary["edited"] == summary["frames"]
    from render_core.project.io import load_project

    project = load_project(tmp_path / "t.rfproj")
    (layer,) = project.timeline.layers  # the saved layer lasts as long as the performance
    assert (layer.start, layer.end) == (0, min(project.target().info.frame_count, 216) - 1)
    # The reenacted mouth speaks the driver's words: its audio is muxed, from the same moment.
    assert summary["audio"] == "driving"
    out_audio, drv_audio, tgt_audio = ([b for _, b in audio_packets(p)] for p in (out, driver, target))
    assert out_audio and out_audio[0] in drv_audio and out_audio[0] not in tgt_audio
    first = drv_audio.index(out_audio[0])
    assert out_audio == drv_audio[first : first + len(out_audio)]
    assert abs(first * 1024 / 44100 - FRAMES[0] / 30) < 0.1  # from the driver's frame 62 (AAC 44.1 kHz)
    with VideoReader(out) as a, VideoReader(target) as b:
        got, ok_a = retrack_face(f for _, f in a.frames())
        ref, ok_b = retrack_face(f for _, f in b.frames(*FRAMES))
    gap = lambda lm: np.linalg.norm(lm[:, 13, :2] - lm[:, 14, :2], axis=-1)
    opened = float(np.median(gap(got[ok_a])) - np.median(gap(ref[ok_b])))
    print(f"reenact: target's inner-lip gap +{opened:.1f} px where the driver yawns")
    assert opened > 10.0
