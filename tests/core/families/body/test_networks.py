"""Body generator, discriminators and face stage: shapes, ranges, and the temporal feedback path."""

from __future__ import annotations

import numpy as np
import torch

from render_core.families.body.face_stage import (
    FaceResidualGenerator,
    FaceStageConfig,
    crop,
    face_box,
    paste_residual,
)
from render_core.families.body.networks import BodyGenerator, BodyGeneratorConfig
from render_core.models.temporal_discriminator import (
    feature_matching_loss,
    frame_discriminator,
    lsgan_loss,
    temporal_discriminator,
)

TINY = BodyGeneratorConfig(ngf=8, n_down=2, n_blocks=1, max_channels=32)


def test_generator_shape_range_and_zero_previous():
    torch.manual_seed(0)
    g = BodyGenerator(TINY)
    pose = torch.rand(2, 3, 32, 16)
    out = g(pose)
    assert out.shape == (2, 3, 32, 16) and out.min() >= 0.0 and out.max() <= 1.0
    torch.testing.assert_close(out, g(pose, torch.zeros_like(pose)))  # None == zeros (first frame)
    # The previous frame is an input (a constant one would be removed by instance norm).
    assert not torch.allclose(out, g(pose, torch.rand_like(pose)))


def test_second_frame_loss_reaches_generator_through_first_frame_only():
    """Gradient of frame 2's loss w.r.t. G flows through the fed-back frame 1 (the temporal path)."""
    torch.manual_seed(0)
    g = BodyGenerator(TINY)
    p0, p1 = torch.rand(1, 3, 32, 16), torch.rand(1, 3, 32, 16)
    fake0 = g(p0)
    # Isolate the feedback path: G's params appear in frame 2 only via fake0 (frame 2's own
    # forward uses a frozen copy of G).
    frozen = BodyGenerator(TINY)
    frozen.load_state_dict(g.state_dict())
    frozen.requires_grad_(False)
    loss = frozen(p1, fake0).square().mean()
    loss.backward()
    grad = sum(float(p.grad.abs().sum()) for p in g.parameters() if p.grad is not None)
    assert grad > 0.0
    assert not frozen(p1, fake0.detach()).requires_grad  # detached: the path is cut


def test_discriminators_and_losses():
    d, dt = frame_discriminator(8, 2, 2), temporal_discriminator(8, 2)
    x = torch.rand(2, 3, 64, 32)
    out = d(x, x)
    assert len(out) == 2 and out[0][0].shape[:2] == (2, 1) and len(out[0][1]) >= 2
    assert dt(x, x, x, x)[0][0].shape[0] == 2
    assert float(feature_matching_loss(out, out).detach()) == 0.0
    logits = [(torch.ones(1, 1, 4, 4), [])]
    assert float(lsgan_loss(logits, True)) == 0.0 and float(lsgan_loss(logits, False)) == 1.0


def test_face_box_crop_and_paste_residual():
    j = np.zeros((33, 4), np.float32)
    j[:11, :2] = [[30 + (i % 3), 20 + (i % 4)] for i in range(11)]
    j[:, 3] = 1.0
    box = face_box(j, (64, 48), box_scale=2.0)
    assert box is not None and box[2] == 8  # spread 3 px * 2 -> min side 8
    x0, y0, s = box
    assert 0 <= x0 <= 48 - s and 0 <= y0 <= 64 - s
    img = torch.zeros(1, 3, 64, 48)
    out = paste_residual(img, torch.ones(1, 3, 16, 16), [box])
    assert float(out[0, :, y0 : y0 + s, x0 : x0 + s].min()) == 1.0 and float(out.sum()) == 3 * s * s
    assert crop(out, [box], 16).shape == (1, 3, 16, 16)
    f = FaceResidualGenerator(FaceStageConfig(size=16, ngf=8, n_down=1, n_blocks=1))
    assert f(torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)).shape == (1, 3, 16, 16)
    j[:11, 3] = 0.0
    assert face_box(j, (64, 48)) is None


def test_an_untrained_face_stage_leaves_the_face_and_learns():
    torch.manual_seed(0)
    f = FaceResidualGenerator(FaceStageConfig(size=16, ngf=8, n_down=1, n_blocks=1))
    pose, face, target = torch.rand(2, 3, 16, 16), torch.rand(2, 3, 16, 16), torch.rand(2, 3, 16, 16)
    assert torch.equal(f(pose, face), face)
    opt = torch.optim.Adam(f.parameters(), lr=1e-2)
    before = float((f(pose, face) - target).abs().mean().detach())
    for _ in range(20):
        loss = (f(pose, face) - target).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float((f(pose, face) - target).abs().mean().detach()) < before
