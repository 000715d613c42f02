from bench.body import speed


def test_speed_times_warmup_and_adversarial_steps_separately():
    """cpu-preview trains its first steps on L1 alone: the bench must time (and count) the
    steps with the discriminators as such, not the cheaper warm-up steps."""
    sp = speed("cpu-preview", "cpu", reps=1)
    assert sp["warmup_gflop_per_step"] > 0
    assert sp["train_gflop_per_step"] > 1.1 * sp["warmup_gflop_per_step"]
    assert sp["ms_per_warmup_step"] > 0 and sp["ms_per_train_step"] > 0


def test_every_seed_gets_its_own_transfer(monkeypatch, tmp_path):
    """`bench body --seeds K` measures the transfer on each seed's model (one transfer is ~10 px
    of noise) and reports its mean beside the held-out means."""
    import argparse

    import bench.body as bb

    fake_speed = {"matmul_dtype": "float32", "ms_per_train_step": 1.0}
    monkeypatch.setattr(bb, "speed", lambda *a, **k: fake_speed)

    def fake_quality(minutes, preset, device, seed=0):
        ck = tmp_path / f"s{seed}" / "models" / "body"
        return {"checkpoint": str(ck), "seed": seed, "steps": 1, "wall_time_s": 1.0,
                "load_average_start": 0, "load_average_end": 0,
                "heldout": {"psnr": 29.0 + seed, "baseline_psnr": 28.0, "ssim": 0.97, "baseline_ssim": 0.96},
                "psnr_above_baseline": True, "ssim_above_baseline": True, "ewarp_ratio": 0.4,
                "pose_dist_ratio": 1.2}  # fmt: skip

    seen = []

    def fake_transfer(checkpoint, folder):
        seen.append(checkpoint)
        return {"output": "x", "frames": 3, "render_fps": 1.0, "follow_dist_px": 30.0 + 10 * len(seen),
                "follow_median_px": 20.0, "follow_share": 0.5 + 0.25 * len(seen), "unseen_pose_frames": 1,
                "follow_seen_median_px": 10.0, "follow_unseen_median_px": 60.0,
                "unmoved_target_dist_px": 64.0, "detect_rate": 1.0}  # fmt: skip

    monkeypatch.setattr(bb, "quality", fake_quality)
    monkeypatch.setattr(bb, "transfer_follow", fake_transfer)
    sheets = []  # each seed's model gets its contact sheet, in its checkpoint
    fake_sheet = lambda ck, project, out: sheets.append(out) or {"path": str(out)}  # noqa: E731
    monkeypatch.setattr(bb, "contact_sheet", fake_sheet)
    res = bb.run(argparse.Namespace(minutes=1.0, seeds=2))
    assert seen == [str(tmp_path / f"s{s}" / "models" / "body") for s in (0, 1)]
    assert sheets == [tmp_path / f"s{s}" / "models" / "body" / "contact_sheet.png" for s in (0, 1)]
    assert [r["transfer"]["follow_dist_px"] for r in res["quality_runs"]] == [40.0, 50.0]
    assert res["transfer"]["follow_dist_px"] == 40.0
    assert res["quality_mean"][0]["transfer_follow_px"] == "45.00 +- 7.07"
    assert res["quality_mean"][0]["transfer_follow_share"] == "0.8750 +- 0.1768"


def test_follow_stats_per_frame():
    import numpy as np

    from bench.body import follow_stats

    nan = float("nan")
    follow = np.array([10.0, 20.0, nan, 80.0, 30.0])  # frame 2: the detector missed the output
    unmoved = np.array([40.0, 15.0, 50.0, 90.0, nan])  # frame 4: nothing asked
    gap = np.array([0.1, 0.2, 0.5, 0.6, nan])  # frame 4: unknown, counted unseen
    st = follow_stats(follow, unmoved, gap)
    assert st["follow_median_px"] == 25.0 and st["follow_share"] == 0.5  # frames 0 and 3 of 4
    assert st["unseen_pose_frames"] == 3
    assert st["follow_seen_median_px"] == 15.0 and st["follow_unseen_median_px"] == 55.0
