import subprocess
import sys

import numpy as np
import pytest
import torch

from render_core.errors import InputError
from render_core.metrics.image import SSIM_K1, psnr, ssim, ssim_map
from render_core.metrics.image_torch import psnr_torch, ssim_torch
from tests.conftest import REPO


def _noisy(tex: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(tex + rng.normal(0, sigma, tex.shape), 0, 1).astype(np.float32)


def _to_torch(*imgs: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2).contiguous()


def test_identical_images_psnr_inf_ssim_one(texture):
    assert psnr(texture, texture) == float("inf")
    assert ssim(texture, texture) == pytest.approx(1.0, abs=1e-6)


def test_psnr_matches_formula_for_known_noise():
    base = np.full((64, 64, 3), 0.5, np.float32)
    sign = np.where((np.indices((64, 64)).sum(0) % 2) == 0, 1.0, -1.0)[..., None]
    noisy = (base + 0.1 * sign).astype(np.float32)  # MSE exactly 0.01 -> 20 dB
    assert psnr(base, noisy) == pytest.approx(20.0, abs=1e-4)
    assert psnr(base, noisy, data_range=2.0) == pytest.approx(20.0 + 20 * np.log10(2.0), abs=1e-4)


def test_psnr_of_gaussian_noise_on_real_texture(texture):
    mid = 0.25 + 0.5 * texture  # keep away from the clip at 0 and 1
    noisy = (mid + np.random.default_rng(1).normal(0, 0.05, mid.shape)).astype(np.float32)
    assert psnr(mid, noisy) == pytest.approx(-10 * np.log10(0.05**2), abs=0.1)


def test_psnr_mask_counts_only_selected_pixels():
    a = np.zeros((20, 20, 3), np.float32)
    b = a.copy()
    b[:10] = 0.5  # error only in the top half
    mask = np.zeros((20, 20), bool)
    mask[10:] = True
    assert psnr(a, b, mask=mask) == float("inf")
    assert psnr(a, b, mask=~mask) == pytest.approx(-10 * np.log10(0.25), abs=1e-4)


def test_ssim_of_constant_images_has_closed_form():
    # zero variance: SSIM = (2 c1 c2 + C1) / (c1^2 + c2^2 + C1)
    c1, c2 = 0.3, 0.6
    a = np.full((32, 32, 3), c1, np.float32)
    b = np.full((32, 32, 3), c2, np.float32)
    k1 = SSIM_K1**2
    assert ssim(a, b) == pytest.approx((2 * c1 * c2 + k1) / (c1**2 + c2**2 + k1), abs=1e-5)


def test_ssim_symmetric_below_one_and_monotone_in_noise(texture):
    b1, b2 = _noisy(texture, 0.02), _noisy(texture, 0.1)
    s1 = ssim(texture, b1)
    assert s1 == pytest.approx(ssim(b1, texture), abs=1e-7)
    assert ssim(texture, b2) < s1 < 1.0


def test_ssim_matches_scipy_reference(texture):
    ndimage = pytest.importorskip("scipy.ndimage")
    a, b = texture[:64, :64], _noisy(texture[:64, :64], 0.05)
    maps = []
    for c in range(3):
        x, y = a[..., c].astype(np.float64), b[..., c].astype(np.float64)
        f = lambda z: ndimage.gaussian_filter(z, 1.5, truncate=5 / 1.5)
        mx, my = f(x), f(y)
        sxx, syy, sxy = f(x * x) - mx * mx, f(y * y) - my * my, f(x * y) - mx * my
        m = ((2 * mx * my + 1e-4) * (2 * sxy + 9e-4)) / ((mx**2 + my**2 + 1e-4) * (sxx + syy + 9e-4))
        maps.append(m[5:-5, 5:-5])
    assert ssim(a, b) == pytest.approx(float(np.mean(maps)), abs=1e-5)
    assert ssim_map(a, b).shape == (54, 54, 3)


def test_uint8_input_is_scaled(texture):
    u8 = (texture * 255).round().astype(np.uint8)
    assert psnr(u8, u8.astype(np.float32) / 255) == float("inf")


def test_bad_shapes_raise_input_error():
    with pytest.raises(InputError):
        psnr(np.zeros((8, 8, 3), np.float32), np.zeros((8, 9, 3), np.float32))
    with pytest.raises(InputError):
        ssim(np.zeros((8, 8), np.float32), np.zeros((8, 8), np.float32))


def test_torch_versions_agree_with_numpy(texture):
    a = texture[:96, :128]
    b1, b2 = _noisy(a, 0.03, 2), _noisy(a, 0.08, 3)
    ta, tb = _to_torch(a, a), _to_torch(b1, b2)
    s = ssim_torch(ta, tb, reduction="none")
    p = psnr_torch(ta, tb, reduction="none")
    assert s.shape == p.shape == (2,)
    np.testing.assert_allclose(s.numpy(), [ssim(a, b1), ssim(a, b2)], atol=2e-5)
    np.testing.assert_allclose(p.numpy(), [psnr(a, b1), psnr(a, b2)], atol=1e-3)
    assert ssim_torch(ta, ta).item() == pytest.approx(1.0, abs=1e-5)


def test_torch_masked_psnr_agrees_with_numpy(texture):
    a, b = texture[:40, :40], _noisy(texture[:40, :40], 0.05)
    mask = np.zeros((40, 40), bool)
    mask[5:25, 10:30] = True
    tm = torch.from_numpy(mask)[None, None].float()
    assert psnr_torch(_to_torch(a), _to_torch(b), mask=tm).item() == pytest.approx(psnr(a, b, mask), abs=1e-3)


def test_torch_large_image_conv_path_agrees_with_matmul_path(monkeypatch):
    from render_core.metrics import image_torch

    g = torch.Generator().manual_seed(0)
    a = torch.rand(1, 3, 40, 48, generator=g)
    b = (a + 0.05 * torch.randn(a.shape, generator=g)).clamp(0, 1)
    via_matmul = ssim_torch(a, b)
    monkeypatch.setattr(image_torch, "_MATMUL_MAX_SIDE", 16)
    assert ssim_torch(a, b).item() == pytest.approx(via_matmul.item(), abs=1e-6)


def test_torch_metrics_have_useful_gradients(texture):
    target = _to_torch(texture[:48, :48])
    pred = _to_torch(_noisy(texture[:48, :48], 0.05)).requires_grad_(True)
    loss = (1 - ssim_torch(pred, target)) - 0.01 * psnr_torch(pred, target)
    loss.backward()
    assert torch.isfinite(pred.grad).all()
    assert pred.grad.abs().sum() > 0
    # a gradient step on the metric moves the prediction towards the target
    with torch.no_grad():
        better = pred - 0.5 * pred.grad / pred.grad.abs().max() * 0.02
        assert ssim_torch(better, target) > ssim_torch(pred, target)


def test_torch_ssim_gradcheck():
    g = torch.Generator().manual_seed(0)
    a = torch.rand(1, 2, 12, 13, dtype=torch.float64, generator=g, requires_grad=True)
    b = torch.rand(1, 2, 12, 13, dtype=torch.float64, generator=g)
    assert torch.autograd.gradcheck(lambda x: ssim_torch(x, b), (a,))
    assert torch.autograd.gradcheck(lambda x: psnr_torch(x, b), (a,))


def test_numpy_metrics_do_not_import_torch_and_reexport_lazily():
    code = (
        "import sys; import render_core.metrics.report, render_core.metrics.landmarks;"
        "assert 'torch' not in sys.modules, 'torch imported';"
        "from render_core.metrics.image import ssim_torch; assert 'torch' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_masked_ssim_scores_only_the_selected_windows(texture):
    a = texture[:64, :64]
    b = a.copy()
    b[:, 32:] = _noisy(a[:, 32:], 0.2)  # right half damaged
    left = np.zeros((64, 64), bool)
    left[:, :20] = True  # windows (11 px) centred here never reach the damage
    assert ssim(a, b, mask=left) == pytest.approx(1.0, abs=1e-6)
    assert ssim(a, b) < 0.9
    with pytest.raises(InputError):
        ssim(a, b, mask=np.zeros((64, 64), bool))
