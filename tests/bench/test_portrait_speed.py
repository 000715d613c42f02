from bench.portrait import bench


def test_speed_times_warmup_and_adversarial_steps_separately():
    """cpu-preview trains its first 80% on L1 alone: the bench must time (and count) the steps
    with the discriminator as such, not the cheaper warm-up steps, and report both."""
    sp = bench("cpu-preview", "cpu", reps=1)
    assert sp["warmup_gflop_per_step"] > 0
    assert sp["train_gflop_per_step"] > 1.1 * sp["warmup_gflop_per_step"]
    assert sp["ms_per_warmup_step"] > 0 and sp["ms_per_train_step"] > 0
    assert sp["warmup_ratio"] > 0 and sp["train_ratio"] > 0
    assert sp["ms_warp_input"] > 0  # the warp-guided preset times its crop warp
