import torch

from render_core.families.portrait.networks import PortraitNetConfig, PortraitUNet
from render_core.models.patch_gan import MultiScalePatchGAN, PatchGANConfig


def test_unet_shapes_range_and_skip_gradients():
    g = PortraitUNet(PortraitNetConfig(in_ch=18, base=8, max_ch=32, depth=5, refine=1))
    x = torch.rand(2, 18, 64, 64, requires_grad=True)
    y = g(x)
    assert y.shape == (2, 3, 64, 64) and y.abs().max() <= 1
    y.sum().backward()
    assert x.grad.abs().sum() > 0
    assert g.out[0].in_channels == 16  # last skip concatenated (2 x base)


def test_multiscale_patchgan_outputs_one_map_per_scale_with_features():
    d = MultiScalePatchGAN(PatchGANConfig(in_ch=21, base=8, n_layers=2, scales=2))
    out = d(torch.rand(1, 21, 64, 64), features=True)
    assert len(out) == 2
    logits, feats = out[0]
    assert logits.shape[1] == 1 and len(feats) == 3
    assert out[1][0].shape[-1] < logits.shape[-1]
