"""The matmul path for tiny maps gives torch's convolution results and gradients."""

import pytest
import torch
from torch.nn import functional as F

from render_core.models.tiny_map_conv import TINY_MAP_PIXELS, TinyMapConv2d, TinyMapConvTranspose2d


def _grads(module, x):
    x = x.clone().requires_grad_()
    out = module(x)
    (out * torch.linspace(-1, 1, out.numel()).reshape(out.shape)).sum().backward()
    return out.detach(), x.grad, module.weight.grad


@pytest.mark.parametrize(
    "size, k, stride, pad, bias",
    [(1, 3, 1, 1, True), (2, 4, 2, 1, False), (4, 4, 2, 1, True), (2, 3, 1, 1, False), (3, 3, 2, 1, True)],
)
def test_conv_matches_torch_on_tiny_maps(size, k, stride, pad, bias):
    torch.manual_seed(0)
    conv = TinyMapConv2d(6, 5, k, stride, pad, bias=bias)
    if bias:
        torch.nn.init.normal_(conv.bias)
    x = torch.randn(2, 6, size, size)
    out, gx, gw = _grads(conv, x)
    ref = torch.nn.Conv2d(6, 5, k, stride, pad, bias=bias)
    ref.load_state_dict(conv.state_dict())
    rout, rgx, rgw = _grads(ref, x)
    assert out.shape == rout.shape
    torch.testing.assert_close(out, rout, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(gx, rgx, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(gw, rgw, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    "size, k, stride, pad, out_pad, bias",
    [(1, 4, 2, 1, 0, True), (2, 4, 2, 1, 0, False), (4, 4, 2, 1, 0, False), (2, 3, 2, 1, 1, True)],
)
def test_transposed_conv_matches_torch_on_tiny_maps(size, k, stride, pad, out_pad, bias):
    torch.manual_seed(1)
    conv = TinyMapConvTranspose2d(6, 5, k, stride, pad, out_pad, bias=bias)
    if bias:
        torch.nn.init.normal_(conv.bias)
    x = torch.randn(2, 6, size, size)
    out, gx, gw = _grads(conv, x)
    expected = F.conv_transpose2d(x, conv.weight, conv.bias, stride, pad, out_pad)
    assert out.shape == expected.shape
    torch.testing.assert_close(out, expected.detach(), atol=1e-5, rtol=1e-5)
    ref = torch.nn.ConvTranspose2d(6, 5, k, stride, pad, out_pad, bias=bias)
    ref.load_state_dict(conv.state_dict())
    _, rgx, rgw = _grads(ref, x)
    torch.testing.assert_close(gx, rgx, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(gw, rgw, atol=1e-5, rtol=1e-5)


def test_bigger_maps_and_other_padding_keep_torchs_path(monkeypatch):
    """Only tiny zero-padded CPU maps take the matmul: a call to unfold elsewhere is a bug."""
    calls = []
    monkeypatch.setattr(F, "unfold", lambda *a, **k: calls.append(a) or (_ for _ in ()).throw(AssertionError))
    side = int(TINY_MAP_PIXELS**0.5) + 1
    TinyMapConv2d(3, 4, 3, 1, 1)(torch.randn(1, 3, side, side))
    TinyMapConv2d(3, 4, 3, 1, 1, padding_mode="reflect")(torch.randn(1, 3, 2, 2))
    assert calls == []
