"""An exponential moving average of a generator's weights, kept beside the trained weights.

Why: with a batch of one, a GAN generator's weights at the end of a timed run sit wherever its
last few hundred noisy updates left them. Their running average is a steadier model (the
practice of progressive GANs and StyleGAN). The averaged copy is what held-out evaluation and the
renderers use; the trained weights stay in the checkpoint so a resumed run continues from them.

A checkpoint stores the average as its own model, named `<name>_avg`. Checkpoints without one
(trained before this, or by a preset with `ema_decay` 0) render with their trained weights.
"""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.optim.swa_utils import get_ema_multi_avg_fn

AVERAGE_SUFFIX = "_avg"


def averaged_name(name: str) -> str:
    return name + AVERAGE_SUFFIX


def add_averages(models: dict[str, nn.Module], names: tuple[str, ...]) -> None:
    """Add a frozen copy of each named model under its averaged name (in place)."""
    for name in names:
        models[averaged_name(name)] = copy.deepcopy(models[name]).requires_grad_(False)


@torch.no_grad()
def update_averages(models: dict[str, nn.Module], names: tuple[str, ...], decay: float) -> None:
    """avg <- decay * avg + (1 - decay) * trained, for every named model that has an average.
    Buffers (none in the instance-normed generators) are copied, not averaged."""
    for name in names:
        avg = models.get(averaged_name(name))
        if avg is None:
            continue
        trained = models[name]
        get_ema_multi_avg_fn(decay)(list(avg.parameters()), list(trained.parameters()), None)
        for b_avg, b in zip(avg.buffers(), trained.buffers(), strict=True):
            b_avg.copy_(b)


@torch.no_grad()
def adopt_average(models: dict[str, nn.Module], name: str) -> None:
    """Copy the average into the trained model: a stage that freezes `name` and trains on its
    outputs (the body's face stage) then trains on the model the renderers will use."""
    avg = models.get(averaged_name(name))
    if avg is not None:
        models[name].load_state_dict(avg.state_dict())


def rendering_model(models: dict[str, nn.Module], name: str) -> nn.Module:
    """The weights that render: the average when there is one, else the trained model."""
    return models.get(averaged_name(name), models[name])


def prefer_averaged(tensors: dict[str, dict[str, torch.Tensor]]) -> dict[str, dict[str, torch.Tensor]]:
    """A checkpoint's model tensors with each average standing in for its trained model."""
    out = {k: v for k, v in tensors.items() if not k.endswith(AVERAGE_SUFFIX)}
    for k, v in tensors.items():
        if k.endswith(AVERAGE_SUFFIX):
            out[k[: -len(AVERAGE_SUFFIX)]] = v
    return out


def missing_averages(models: dict[str, nn.Module], saved: dict) -> list[str]:
    """Trained model names whose average a checkpoint (`saved`: its model tensors) lacks."""
    return [k[: -len(AVERAGE_SUFFIX)] for k in models if k.endswith(AVERAGE_SUFFIX) and k not in saved]
