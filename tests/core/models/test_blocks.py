"""The shared blocks' instance norm is torch's instance norm, computed faster."""

import pytest
import torch

from render_core.models.blocks import InstanceNorm, make_norm


@pytest.mark.parametrize("layout", [torch.contiguous_format, torch.channels_last])
def test_instance_norm_matches_torchs_forward_and_backward(layout):
    torch.manual_seed(0)
    ours, theirs = InstanceNorm(5, affine=True), torch.nn.InstanceNorm2d(5, affine=True)
    with torch.no_grad():
        ours.weight.uniform_(0.5, 1.5)
        ours.bias.uniform_(-0.5, 0.5)
    theirs.load_state_dict(ours.state_dict())  # same keys: checkpoints load either way
    x = torch.randn(3, 5, 6, 4) * 2 + torch.arange(5.0).view(1, 5, 1, 1)
    x1 = x.clone().contiguous(memory_format=layout).requires_grad_()
    x2 = x.clone().requires_grad_()
    y1, y2 = ours(x1), theirs(x2)
    torch.testing.assert_close(y1, y2, atol=1e-5, rtol=1e-5)
    g = torch.randn_like(y2)
    (y1 * g).sum().backward()
    (y2 * g).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(ours.weight.grad, theirs.weight.grad, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(ours.bias.grad, theirs.bias.grad, atol=1e-4, rtol=1e-4)


def test_make_norm_instance_is_the_fast_one():
    norm = make_norm("instance", 4)
    assert isinstance(norm, InstanceNorm) and isinstance(norm, torch.nn.InstanceNorm2d)
    assert set(norm.state_dict()) == {"weight", "bias"}
