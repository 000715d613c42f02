"""The body family's main step: the reconstruction warm-up leaves the discriminators alone;
the SSIM term joins the reconstruction loss when weighted; the batched discriminator passes give
the per-frame losses of the paper's formulation."""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from render_core.families.body.step import (
    BodyNets,
    PairBatch,
    discriminator_loss,
    generator_losses,
    main_step,
)
from render_core.families.registry import get_preset
from render_core.metrics.image_torch import ssim_torch
from render_core.models.temporal_discriminator import feature_matching_loss, lsgan_loss

SMALL = {"resolution": 64, "width": 32, "ngf": 8, "n_down": 2, "n_blocks": 1, "max_channels": 16,
         "ndf": 8, "d_layers": 2, "face_size": 16, "lambda_ssim": 0.0, "lambda_mask": 0.0}  # fmt: skip


def _setup(**overrides):
    torch.manual_seed(0)
    cfg = get_preset("body", "cpu-preview", {**SMALL, **overrides})
    nets = BodyNets(cfg)
    adam = lambda ps: torch.optim.Adam(ps, lr=1e-3, betas=(0.5, 0.999))  # noqa: E731
    opt_g, opt_d = adam(nets.G.parameters()), adam([*nets.D.parameters(), *nets.DT.parameters()])
    img = lambda: torch.rand(2, 3, 64, 32)  # noqa: E731
    batch = PairBatch(img(), img(), img(), img(), np.zeros((2, 33, 4), np.float32), img(), img())
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


def test_ssim_term_adds_one_minus_ssim_of_both_frames():
    cfg, nets, opt_g, opt_d, batch = _setup(lambda_ssim=50.0)
    with torch.no_grad():
        total, parts, (f0, f1) = generator_losses(nets, batch, cfg, adversarial=False)
    expected = 2.0 - ssim_torch(f0, batch.r0) - ssim_torch(f1, batch.r1)
    assert np.isclose(parts["dssim"], float(expected), rtol=1e-5)
    assert 0.0 < parts["dssim"] <= 4.0
    assert np.isclose(float(total), cfg.lambda_l1 * parts["l1"] + 50.0 * parts["dssim"], rtol=1e-5)


def _per_frame(b: PairBatch, f0: torch.Tensor, f1: torch.Tensor):
    return ((b.p0, f0, b.r0), (b.p1, f1, b.r1)), ((b.p0, b.p1, f0, f1), (b.p0, b.p1, b.r0, b.r1))


@torch.no_grad()
def test_batched_discriminator_loss_equals_the_per_frame_sum():
    _, nets, _, _, b = _setup()
    f0, f1 = torch.rand(2, 3, 64, 32), torch.rand(2, 3, 64, 32)
    frames, (t_fake, t_real) = _per_frame(b, f0, f1)
    ref = sum(0.5 * (lsgan_loss(nets.D(p, r), True) + lsgan_loss(nets.D(p, f), False)) for p, f, r in frames)
    ref = ref + 0.5 * (lsgan_loss(nets.DT(*t_real), True) + lsgan_loss(nets.DT(*t_fake), False))
    assert torch.allclose(discriminator_loss(nets, b, (f0, f1)), ref, rtol=1e-5)


@torch.no_grad()
def test_batched_generator_gan_terms_equal_the_per_frame_sum():
    cfg, nets, _, _, b = _setup()
    _, parts, (f0, f1) = generator_losses(nets, b, cfg, adversarial=True)
    frames, (t_fake, t_real) = _per_frame(b, f0, f1)
    adv = sum(lsgan_loss(nets.D(p, f), True) for p, f, _ in frames) + lsgan_loss(nets.DT(*t_fake), True)
    fm = sum(feature_matching_loss(nets.D(p, f), nets.D(p, r)) for p, f, r in frames)
    fm = fm + feature_matching_loss(nets.DT(*t_fake), nets.DT(*t_real))
    assert np.isclose(parts["g_adv"], float(adv), rtol=1e-5)
    assert np.isclose(parts["g_fm"], float(fm), rtol=1e-5)


def test_discriminator_weight_gradients_come_from_its_own_loss_only():
    """The generator's adversarial loss reaches G through the discriminators without computing
    their weight gradients (D's next update would discard them): each D weight gets exactly one
    gradient per step, from the D loss."""
    cfg, nets, opt_g, opt_d, batch = _setup()
    counts = {}
    for name, p in [*nets.D.named_parameters("D"), *nets.DT.named_parameters("DT")]:
        counts[name] = 0
        p.register_hook(lambda g, n=name: counts.__setitem__(n, counts[n] + 1))
    main_step(nets, batch, opt_g, opt_d, cfg, contextlib.nullcontext, adversarial=True)
    assert set(counts.values()) == {1}
    assert all(p.requires_grad for p in [*nets.D.parameters(), *nets.DT.parameters()])
