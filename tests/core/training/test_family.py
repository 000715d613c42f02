"""The training loop's shared helpers."""

import pytest
import torch

from render_core.training.family import frozen


def test_frozen_passes_gradient_to_the_input_not_the_weights_and_restores():
    d, other = torch.nn.Linear(3, 1), torch.nn.Linear(3, 3)
    other.bias.requires_grad_(False)  # a parameter frozen before stays frozen after
    x = torch.rand(2, 3, requires_grad=True)
    with frozen(d, other):
        loss = d(other(x)).sum()
    loss.backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert d.weight.grad is None and d.bias.grad is None and other.weight.grad is None
    assert d.weight.requires_grad and d.bias.requires_grad and other.weight.requires_grad
    assert not other.bias.requires_grad
    with pytest.raises(RuntimeError), frozen(d):
        raise RuntimeError("a failing step")
    assert d.weight.requires_grad  # restored on the way out of an error too
