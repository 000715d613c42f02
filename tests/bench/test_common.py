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


def test_a_rate_is_the_best_of_its_timed_calls(monkeypatch):
    """A low reading must not set the ceiling: the best over repeats does."""
    import time

    from bench import common

    clock = iter([0.0, 1.0, 0.0, 0.5])  # two timed calls after the warm-up: 1 s, 0.5 s
    monkeypatch.setattr(time, "perf_counter", lambda: next(clock))
    calls = []
    assert common._best_rate(lambda: calls.append(1), 2e9, 2, lambda: None) == 4.0
    assert len(calls) == 3  # the warm-up call is not timed


def test_matmul_ceiling_is_the_best_over_sizes_and_both_cpu_gemm_libraries(monkeypatch):
    """MKL's GEMM skips AVX-512 on AMD CPUs: oneDNN's (a 1x1 convolution) can read higher, and
    every reading computes the product it is timed for."""
    import torch

    from bench import common

    readings = iter([100.0, 300.0, 250.0, 120.0])  # n=64: matmul, conv; n=128: matmul, conv
    products = []

    def fake_rate(fn, flops, repeats, sync):
        products.append((fn(), flops))
        return next(readings)

    monkeypatch.setattr(common, "_best_rate", fake_rate)
    assert common.matmul_gflops(sizes=(64, 128), repeats=2) == 300.0
    (mm, f0), (conv, f1) = products[:2]
    assert f0 == f1 == 2 * 64**3
    assert torch.allclose(conv.permute(0, 2, 3, 1).reshape(64, 64), mm, rtol=1e-4, atol=1e-3)
