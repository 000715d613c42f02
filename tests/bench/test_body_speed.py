from bench.body import speed


def test_speed_times_warmup_and_adversarial_steps_separately():
    """cpu-preview trains its first steps on L1 alone: the bench must time (and count) the
    steps with the discriminators as such, not the cheaper warm-up steps."""
    sp = speed("cpu-preview", "cpu", reps=1)
    assert sp["warmup_gflop_per_step"] > 0
    assert sp["train_gflop_per_step"] > 1.1 * sp["warmup_gflop_per_step"]
    assert sp["ms_per_warmup_step"] > 0 and sp["ms_per_train_step"] > 0
