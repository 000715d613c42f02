"""A model whose held-out frames score below its baseline says so in one line."""

from render_core.training.verdict import below_baseline


def test_a_model_below_its_baseline_is_reported_and_one_above_is_not():
    line = below_baseline({"psnr": 27.77, "baseline_psnr": 32.17, "ssim": 0.97})
    assert line is not None and "27.77" in line and "32.17" in line and "warp renderer" in line
    assert below_baseline({"psnr": 38.8, "baseline_psnr": 35.8}) is None
    assert below_baseline({"psnr": 30.0}) is None and below_baseline({}) is None  # nothing to compare
    assert below_baseline({"psnr": None, "baseline_psnr": 30.0}) is None
