from bench.common import seed_means


def test_seed_means_groups_by_clip_and_skips_missing_values():
    rows = [
        {"clip": "a", "psnr": 31.0, "ewarp_ratio": None},
        {"clip": "a", "psnr": 33.0, "ewarp_ratio": 1.0},
        {"clip": "b", "psnr": 30.0},
    ]
    means = seed_means(rows, "clip", ["psnr", "ewarp_ratio", "absent"])
    assert [m["clip"] for m in means] == ["a", "b"]
    assert means[0]["runs"] == 2 and means[0]["psnr"] == "32.00 +- 1.41"
    assert means[0]["ewarp_ratio"] == "1.0000 +- 0.0000"  # one numeric value of two
    assert "absent" not in means[0]
    assert means[1] == {"clip": "b", "runs": 1, "psnr": "30.00 +- 0.00"}


def test_matmul_ceiling_is_the_best_reading_over_sizes(monkeypatch):
    """A low reading must not set the ceiling: the best over sizes and repeats does."""
    import time

    from bench import common

    clock = iter([0.0, 1.0, 0.0, 0.5, 0.0, 2.0, 0.0, 4.0])  # n=64: 1 s, 0.5 s; n=128: 2 s, 4 s
    monkeypatch.setattr(time, "perf_counter", lambda: next(clock))
    got = common.matmul_gflops(sizes=(64, 128), repeats=2)
    assert got == max(2 * 64**3 / 0.5, 2 * 128**3 / 2.0) / 1e9
