"""Issue 3 end to end: a body_pose edit raises an arm on a real full-body clip; an export
cancelled or killed midway never leaves a file under the final name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np

from render_core.edits.body_ops import apply_body_pose
from render_core.edits.layer import EditLayer
from render_core.edits.params import BodyPoseParams, ExpressionParams
from render_core.edits.timeline import EditTimeline
from render_core.jobs import null_context
from render_core.media.decode import VideoReader
from render_core.project.io import new_project, save_project
from render_core.render.pipeline import RenderConfig, render_clip
from render_core.render.sources import load_sources
from render_core.tracking.retrack import retrack_body
from tests.conftest import REPO, footage_path

RIGHT_WRIST = 16
EDIT = (20, 39)


def raise_arm_params(joints: np.ndarray) -> BodyPoseParams:
    """The shoulder rotation sign that lifts the right wrist on this frame (image y up)."""
    up = BodyPoseParams(right_shoulder=100.0)
    down = BodyPoseParams(right_shoulder=-100.0)
    y_up = apply_body_pose(joints, up)[RIGHT_WRIST, 1]
    y_down = apply_body_pose(joints, down)[RIGHT_WRIST, 1]
    return up if y_up < y_down else down


def test_body_pose_edit_raises_the_wrist(tmp_path):
    clip = footage_path("B_tfjs_pose_1.mp4")
    project = new_project(tmp_path / "dance", clip)
    sources = load_sources(project, null_context())
    params = raise_arm_params(sources.target.body(EDIT[0]).joints)
    layer = EditLayer("body_pose", EDIT[0], EDIT[1], {EDIT[0]: params}, interpolation="hold")
    edited = project.with_timeline(EditTimeline().add_layer(layer))
    out = tmp_path / "raised.mp4"
    render_clip(
        edited, RenderConfig(str(out), frames=(EDIT[0], EDIT[1] + 1), preset="veryfast"), null_context()
    )
    with VideoReader(out) as r, VideoReader(clip) as src:
        got, _ = retrack_body(f for _, f in r.frames())
        ref, _ = retrack_body(f for _, f in src.frames(EDIT[0], EDIT[1] + 1))
    intended = np.array(
        [
            apply_body_pose(sources.target.body(t).joints, params)[RIGHT_WRIST, 1]
            for t in range(EDIT[0], EDIT[1] + 1)
        ]
    )
    tracked = np.array([sources.target.body(t).joints[RIGHT_WRIST, 1] for t in range(EDIT[0], EDIT[1] + 1)])
    lift_intended = float(np.mean(tracked - intended))
    lift_measured = float(np.nanmedian(ref[:, RIGHT_WRIST, 1] - got[:, RIGHT_WRIST, 1]))
    print(f"body_pose: wrist lifted {lift_measured:.1f} px (intended {lift_intended:.1f} px)")
    assert lift_intended > 20
    assert lift_measured > 0.4 * lift_intended


def test_cancelled_export_leaves_no_file(tmp_path, talking_head):
    project = new_project(tmp_path / "p", talking_head)
    layer = EditLayer("expression", 0, 10_000, {0: ExpressionParams(jaw_open=0.5)})
    save_project(project.with_timeline(EditTimeline().add_layer(layer)), project.folder)
    env = {**os.environ, "GLOG_minloglevel": "2"}
    out = tmp_path / "out.mp4"
    # track first so the render itself is what gets interrupted
    subprocess.run(
        [
            sys.executable,
            str(REPO / "main.py"),
            "track",
            str(talking_head),
            "--project",
            str(project.folder),
            "--quiet",
        ],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
    )
    for sig, code in ((signal.SIGINT, 130), (signal.SIGKILL, -9)):
        p = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "main.py"),
                "render",
                str(project.folder),
                "-o",
                str(out),
                "--no-cache",
                "--preset",
                "veryslow",
                "--height",
                "720",  # slow enough that even the small fallback clip is still rendering
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob("out.part*")) and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # signal once the export is writing its temporary file
        time.sleep(0.3)
        p.send_signal(sig)
        p.communicate(timeout=120)
        assert p.returncode == code
        assert not out.exists()
        if sig == signal.SIGINT:  # a clean cancel also removes its temporary file
            assert not list(tmp_path.glob("out.part*")), list(tmp_path.iterdir())
