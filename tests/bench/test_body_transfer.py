"""The body bench's transfer check runs end to end (it once called `transfer` with a
hand-built argument set that missed a new option, and only a 10-minute bench found it)."""

from __future__ import annotations

import pytest

from bench.body import transfer_follow
from render_core.jobs import null_context
from tests.conftest import footage_path

TINY = {"resolution": 64, "width": 32, "d_layers": 2, "d_scales": 1, "n_blocks": 1, "face_size": 16,
        "face_start": 2.0, "batch_size": 1, "eval_frames": 2}  # fmt: skip


@pytest.mark.slow
def test_transfer_follow_measures_a_tiny_model(tmp_path):
    from render_core.families.train import train_model
    from render_core.training.trainer import TrainConfig

    target = footage_path("B_musepose_ubcfashion_91BjuE6irxS.mp4")
    footage_path("B_tfjs_pose_1.mp4")
    cfg = TrainConfig("body", [target], tmp_path / "models" / "tiny", "cpu-preview", project_dir=tmp_path,
                      steps=2, device="cpu", overrides=TINY, max_frames=20, tensorboard=False)  # fmt: skip
    res = train_model(cfg, null_context())
    tr = transfer_follow(str(res.checkpoint), tmp_path, frames=6)
    # two steps make no person MediaPipe would find; the measurement itself must still run
    assert tr["frames"] == 6 and 0.0 <= tr["detect_rate"] <= 1.0 and tr["unmoved_target_dist_px"] > 0
