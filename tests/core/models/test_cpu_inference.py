"""Prepacked CPU inference gives the eager model's frames, and falls back where it cannot pack."""

import pytest
import torch

from render_core.families.body.networks import BodyGenerator, BodyGeneratorConfig
from render_core.families.portrait.networks import PortraitNetConfig, PortraitUNet
from render_core.models.blocks import InstanceNorm
from render_core.models.cpu_inference import InferenceInstanceNorm, PackedConv, pack_for_cpu

needs_onednn = pytest.mark.skipif(
    not torch.backends.mkldnn.is_available(), reason="torch built without oneDNN"
)


def _packed_layers(model):
    return [m for m in model.modules() if isinstance(m, PackedConv)]


@needs_onednn
def test_portrait_unet_packed_matches_eager():
    torch.manual_seed(0)
    g = PortraitUNet(PortraitNetConfig(in_ch=18, base=8, max_ch=32, depth=5)).eval()
    x = torch.rand(2, 18, 32, 32)
    packed = pack_for_cpu(g)
    with torch.no_grad():
        expected = g(x)
        first, again = packed(x), packed(x)  # the first call checks, the second runs packed
    torch.testing.assert_close(first, expected, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(again, expected, atol=1e-4, rtol=1e-4)
    layers = _packed_layers(packed)
    assert len(layers) == 5 + 4 * 2 + 1  # encoder, decoder (up + refine), output
    assert all(not m.failed and len(m.packed) == 1 for m in layers)


@needs_onednn
def test_body_generator_with_reflect_padding_packed_matches_eager():
    torch.manual_seed(1)
    g = BodyGenerator(BodyGeneratorConfig(ngf=8, n_down=2, n_blocks=1, max_channels=16)).eval()
    pose, prev = torch.rand(1, 3, 32, 24), torch.rand(1, 3, 32, 24)
    packed = pack_for_cpu(g)
    with torch.no_grad():
        expected = g(pose, prev)
        packed(pose, prev)
        got = packed(pose, prev)
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=1e-4)
    assert not any(m.failed for m in _packed_layers(packed))


def test_training_and_the_original_model_are_untouched():
    g = PortraitUNet(PortraitNetConfig(in_ch=9, base=4, max_ch=8, depth=3))
    packed = pack_for_cpu(g)
    assert not _packed_layers(g)  # a copy is packed, not the model itself
    x = torch.rand(1, 9, 16, 16)
    packed(x).sum().backward()  # with autograd on, torch's own path runs and trains
    assert all(not m.packed for m in _packed_layers(packed))


def test_a_layer_whose_packing_fails_keeps_torchs_path(monkeypatch):
    conv = torch.nn.Conv2d(3, 4, 3, 1, 1)
    layer = PackedConv(conv)

    def broken(*args, **kwargs):
        raise RuntimeError("no oneDNN kernel")

    monkeypatch.setattr(layer, "_pack", broken)
    x = torch.rand(1, 3, 8, 8)
    with torch.no_grad():
        out = layer(x)
        torch.testing.assert_close(out, conv(x))
    assert layer.failed and layer(x).shape == (1, 4, 8, 8)


@needs_onednn
def test_packed_copies_are_bounded_per_layer():
    from render_core.models.cpu_inference import MAX_SHAPES

    layer = PackedConv(torch.nn.Conv2d(3, 4, 3, 1, 1))
    with torch.no_grad():
        for batch in range(1, MAX_SHAPES + 3):
            x = torch.rand(batch, 3, 8, 8)
            torch.testing.assert_close(layer(x), layer.conv(x), atol=1e-5, rtol=1e-5)
    assert not layer.failed
    assert sorted(k[0] for k in layer.packed) == list(range(3, MAX_SHAPES + 3))


@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("layout", [torch.contiguous_format, torch.channels_last])
@pytest.mark.parametrize("affine", [True, False])
def test_inference_instance_norm_matches_torchs(batch, layout, affine):
    torch.manual_seed(batch)
    norm = InstanceNorm(6, affine=affine)
    if affine:
        with torch.no_grad():
            norm.weight.uniform_(0.5, 1.5)
            norm.bias.uniform_(-0.5, 0.5)
    x = torch.randn(batch, 6, 5, 7) * 3 + torch.arange(6.0).view(1, 6, 1, 1)
    x = x.contiguous(memory_format=layout)
    with torch.no_grad():
        got = InferenceInstanceNorm(norm)(x)
        expected = torch.nn.functional.instance_norm(x.contiguous(), None, None, norm.weight, norm.bias)
        torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    if batch == 1:  # one frame keeps the layout the convolution handed over: no copy
        assert got.is_contiguous(memory_format=layout)


def test_pack_for_cpu_swaps_instance_norms_and_training_keeps_torchs():
    g = BodyGenerator(BodyGeneratorConfig(ngf=4, n_down=1, n_blocks=1, max_channels=8))
    packed = pack_for_cpu(g)
    norms = [m for m in packed.modules() if isinstance(m, InferenceInstanceNorm)]
    assert len(norms) == sum(isinstance(m, torch.nn.InstanceNorm2d) for m in g.modules()) > 0
    norm = norms[0]
    x = torch.randn(2, norm.norm.num_features, 4, 4, requires_grad=True)
    norm(x).sum().backward()  # autograd on: torch's own norm, gradients flow
    assert x.grad is not None
