"""The body family's main step: the reconstruction warm-up leaves the discriminators alone."""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from render_core.training.body_step import BodyNets, PairBatch, main_step
from render_core.training.presets import get_preset

SMALL = {"resolution": 64, "width": 32, "ngf": 8, "n_down": 2, "n_blocks": 1, "max_channels": 16,
         "ndf": 8, "d_layers": 2, "face_size": 16}  # fmt: skip


def _setup():
    torch.manual_seed(0)
    cfg = get_preset("body", "cpu-preview", SMALL)
    nets = BodyNets(cfg)
    adam = lambda ps: torch.optim.Adam(ps, lr=1e-3, betas=(0.5, 0.999))  # noqa: E731
    opt_g, opt_d = adam(nets.G.parameters()), adam([*nets.D.parameters(), *nets.DT.parameters()])
    img = lambda: torch.rand(2, 3, 64, 32)  # noqa: E731
    batch = PairBatch(img(), img(), img(), img(), np.zeros((2, 33, 4), np.float32))
    return cfg, nets, opt_g, opt_d, batch


def _snapshot(m: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in m.parameters()]


def _changed(before: list[torch.Tensor], m: torch.nn.Module) -> bool:
    return any(not torch.equal(a, p) for a, p in zip(before, m.parameters(), strict=True))


def test_warmup_step_trains_the_generator_only():
    cfg, nets, opt_g, opt_d, batch = _setup()
    g0, d0, dt0 = _snapshot(nets.G), _snapshot(nets.D), _snapshot(nets.DT)
    losses = main_step(nets, batch, opt_g, opt_d, cfg, contextlib.nullcontext, adversarial=False)
    assert _changed(g0, nets.G)
    assert not _changed(d0, nets.D) and not _changed(dt0, nets.DT)
    assert set(losses) == {"g", "l1"} and np.isclose(losses["g"], cfg.lambda_l1 * losses["l1"])


def test_adversarial_step_trains_both_and_reports_gan_terms():
    cfg, nets, opt_g, opt_d, batch = _setup()
    d0, dt0 = _snapshot(nets.D), _snapshot(nets.DT)
    losses = main_step(nets, batch, opt_g, opt_d, cfg, contextlib.nullcontext, adversarial=True)
    assert _changed(d0, nets.D) and _changed(dt0, nets.DT)
    assert {"g", "d", "l1", "g_adv", "g_fm"} <= set(losses)
    assert losses["g"] > cfg.lambda_l1 * losses["l1"]  # the GAN terms add to the reconstruction
