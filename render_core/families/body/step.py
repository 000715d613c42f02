"""One optimisation step of the body family (Everybody Dance Now), on two consecutive frames.

Main stage: fake_t = G(pose_t, 0), fake_t1 = G(pose_t1, fake_t) with no detach, so the second
frame's loss back-propagates through the first generated frame (the temporal feedback). Losses:
LSGAN of the multi-scale D on (pose, frame) for both frames and of the temporal D_T on the pair,
+ discriminator feature matching x `lambda_fm`, + L1 x `lambda_l1` standing in for the paper's VGG
term (no downloadable weights here), + (1 - SSIM) x `lambda_ssim` (weight-free, structural),
+ an optional perceptual hook x `lambda_perceptual`.
Face stage (after the main stage, G frozen): a residual face generator on face crops of the
second frame with its own discriminator.

Convention: batch tensors (B, 3, H, W) float32 RGB [0, 1] on the training device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from render_core.families.body.face_stage import crop, face_box
from render_core.families.body.generators import build_generators
from render_core.metrics.image_torch import ssim_torch
from render_core.models.temporal_discriminator import (
    PairDiscriminator,
    feature_matching_loss,
    frame_discriminator,
    lsgan_loss,
    temporal_discriminator,
)
from render_core.training.family import frozen

Perceptual = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass
class PairBatch:
    """Two consecutive frames: poses p0, p1 and real frames r0, r1, (B, 3, H, W); joints of the
    second frame (B, 33, 4) model px for the face stage."""

    p0: torch.Tensor
    p1: torch.Tensor
    r0: torch.Tensor
    r1: torch.Tensor
    joints1: np.ndarray
    w0: torch.Tensor | None = None  # the source frame warped to each pose (warp-guided G only)
    w1: torch.Tensor | None = None

    @property
    def warped(self) -> list[torch.Tensor] | None:
        return None if self.w0 is None else [self.w0, self.w1]


class BodyNets(nn.Module):
    """All modules of one body model, built from a preset config (see body_family.BodyConfig)."""

    def __init__(self, cfg) -> None:
        super().__init__()
        self.G, self.F = build_generators(cfg)
        self.D = frame_discriminator(cfg.ndf, cfg.d_layers, cfg.d_scales)
        self.DT = temporal_discriminator(cfg.ndf, cfg.d_layers, 1)
        self.DF = PairDiscriminator(6, cfg.face_ndf, 2, 1)


def _gan_terms(d: PairDiscriminator, fake_in: tuple, real_in: tuple) -> tuple[torch.Tensor, torch.Tensor]:
    """(LSGAN generator loss, feature-matching loss) of one discriminator on fake vs real inputs."""
    fake = d(*fake_in)
    with torch.no_grad():
        real = d(*real_in)
    return lsgan_loss(fake, True), feature_matching_loss(fake, real)


def _d_loss(d: PairDiscriminator, fake_in: tuple, real_in: tuple) -> torch.Tensor:
    """LSGAN loss of D, real and fake stacked on the batch axis: one pass of many small
    convolutions instead of two (per-sample norms, so the loss is the same)."""
    n = real_in[0].shape[0]
    out = d(*(torch.cat([r, f]) for r, f in zip(real_in, fake_in, strict=True)))
    real, fake = [(x[:n], []) for x, _ in out], [(x[n:], []) for x, _ in out]
    return 0.5 * (lsgan_loss(real, True) + lsgan_loss(fake, False))


def _both_frames(b: PairBatch, frame0: torch.Tensor, frame1: torch.Tensor) -> tuple:
    """(pose, frame) of the pair's two frames stacked on the batch axis, for one pass of the
    frame discriminator; its mean losses are then half the sum over the frames."""
    return torch.cat([b.p0, b.p1]), torch.cat([frame0, frame1])


def generator_losses(
    nets: BodyNets, b: PairBatch, cfg, perceptual: Perceptual | None = None, adversarial: bool = True
):
    """Main-stage generator loss on a pair; returns (total, parts dict, (fake0, fake1)).
    adversarial=False: the reconstruction terms only (the warm-up before the GAN terms start)."""
    masks: list = []
    fake0, fake1 = nets.G.sequence([b.p0, b.p1], warped=b.warped, masks=masks)
    l1 = F.l1_loss(fake0, b.r0) + F.l1_loss(fake1, b.r1)
    total = cfg.lambda_l1 * l1
    parts = {"l1": float(l1.detach())}
    if b.warped is not None and getattr(cfg, "lambda_mask", 0.0) > 0:
        m = masks[0].mean() + masks[1].mean()  # prefer the real (warped) pixels where they fit
        total = total + cfg.lambda_mask * m
        parts["mask"] = float(m.detach()) / 2
    if cfg.lambda_ssim > 0:
        dssim = 2.0 - ssim_torch(fake0, b.r0) - ssim_torch(fake1, b.r1)
        total = total + cfg.lambda_ssim * dssim
        parts["dssim"] = float(dssim.detach())
    if adversarial:
        adv, fm = _gan_terms(nets.D, _both_frames(b, fake0, fake1), _both_frames(b, b.r0, b.r1))
        adv, fm = 2 * adv, 2 * fm  # summed over the two frames
        a, f = _gan_terms(nets.DT, (b.p0, b.p1, fake0, fake1), (b.p0, b.p1, b.r0, b.r1))
        adv, fm = adv + a, fm + f
        total = total + cfg.lambda_gan * adv + cfg.lambda_fm * fm
        parts.update(g_adv=float(adv.detach()), g_fm=float(fm.detach()))
    if perceptual is not None and cfg.lambda_perceptual > 0:
        per = perceptual(fake0, b.r0) + perceptual(fake1, b.r1)
        total = total + cfg.lambda_perceptual * per
        parts["perceptual"] = float(per.detach())
    return total, parts, (fake0, fake1)


def discriminator_loss(
    nets: BodyNets, b: PairBatch, fakes: tuple[torch.Tensor, torch.Tensor]
) -> torch.Tensor:
    """LSGAN loss of D (both frames) and D_T (the pair) on detached fakes."""
    f0, f1 = fakes[0].detach(), fakes[1].detach()
    loss = 2 * _d_loss(nets.D, _both_frames(b, f0, f1), _both_frames(b, b.r0, b.r1))
    return loss + _d_loss(nets.DT, (b.p0, b.p1, f0, f1), (b.p0, b.p1, b.r0, b.r1))


def main_step(
    nets: BodyNets, b: PairBatch, opt_g, opt_d, cfg, autocast, perceptual=None, adversarial: bool = True
) -> dict:
    """One G update then one D update (pix2pixHD order); adversarial=False: G on the
    reconstruction terms alone, no D update. Returns float losses."""
    with autocast(), frozen(nets.D, nets.DT):  # the G loss's gradient reaches G only
        g_loss, parts, fakes = generator_losses(nets, b, cfg, perceptual, adversarial)
    opt_g.zero_grad(set_to_none=True)
    g_loss.backward()
    opt_g.step()
    if not adversarial:
        return {"g": float(g_loss.detach()), **parts}
    with autocast():
        d_loss = discriminator_loss(nets, b, fakes)
    opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    opt_d.step()
    return {"g": float(g_loss.detach()), "d": float(d_loss.detach()), **parts}


def face_boxes(joints: np.ndarray, hw: tuple[int, int], box_scale: float) -> tuple[list[int], list[tuple]]:
    """Batch rows with a usable face box and the boxes themselves (model px)."""
    rows, boxes = [], []
    for i, j in enumerate(joints):
        box = face_box(j, hw, box_scale)
        if box is not None:
            rows.append(i)
            boxes.append(box)
    return rows, boxes


def face_step(nets: BodyNets, b: PairBatch, opt_f, opt_df, cfg, autocast) -> dict:
    """Face-stage update on the second frame (G frozen); {} when no face is visible in the batch."""
    rows, boxes = face_boxes(b.joints1, tuple(b.p1.shape[2:]), cfg.face_box_scale)
    if not rows:
        return {}
    with torch.no_grad(), autocast():
        fake1 = nets.G.sequence([b.p0, b.p1], warped=b.warped)[1].float()
    size = cfg.face_size
    pose_c, fake_c, real_c = (crop(x[rows], boxes, size) for x in (b.p1, fake1, b.r1))
    with autocast():
        refined = nets.F(pose_c, fake_c)
        with frozen(nets.DF):
            adv, fm = _gan_terms(nets.DF, (pose_c, refined), (pose_c, real_c))
        l1 = F.l1_loss(refined, real_c)
        f_loss = cfg.lambda_gan * adv + cfg.lambda_fm * fm + cfg.lambda_l1 * l1
    opt_f.zero_grad(set_to_none=True)
    f_loss.backward()
    opt_f.step()
    with autocast():
        df_loss = _d_loss(nets.DF, (pose_c, refined.detach()), (pose_c, real_c))
    opt_df.zero_grad(set_to_none=True)
    df_loss.backward()
    opt_df.step()
    return {
        "face_g": float(f_loss.detach()),
        "face_d": float(df_loss.detach()),
        "face_l1": float(l1.detach()),
    }
