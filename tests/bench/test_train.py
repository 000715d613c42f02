"""`bench train --distributed`: the body family's real step (generator `sequence` calls, frozen
discriminator passes) runs on 2 torchrun processes and reports its rates."""

import pytest


@pytest.mark.slow
def test_two_process_body_steps_report_rates():
    from bench.train import measure

    r = measure("body", "cpu-preview", 2, 1, "cpu")
    assert r["processes"] == 2 and r["steps_per_s"] > 0
    assert r["frames_per_s"] == pytest.approx(2 * r["steps_per_s"])  # batch 1 on each process
