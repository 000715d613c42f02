"""The portrait family's training (Deep Video Portraits): data, networks, losses, evaluation.

Loss: conditional GAN (PatchGAN on (window, frame), log-loss) + 100 x L1, Adam(2e-4, 0.5), as
in the paper, after an L1-only warm-up of `gan_start` of the budget (as DESIGN.md says, L1
converges in minutes on CPU, adversarial detail does not); `training.inputs.PERCEPTUAL_LOSS`
is a hook for a user-supplied feature loss (no downloaded weights here). Held-out report:
PSNR/SSIM of the model and of the landmark-warp baseline (nearest training frame warped to the
held-out landmarks) on the face crops, and E_warp of the generated and the real held-out crop
sequences, plus the edit-realism measures (realism.py) and a contact sheet of edited frames.
With `warp_input` (the presets) the generator starts from a real frame of the clip warped to
the target (warp_net.py, warp_input.py): trained on pairs of different frames, it learns to move
an expression rather than to redraw the face.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from render_core.families.portrait.config import PRESETS, PortraitPreset
from render_core.families.portrait.data import PortraitData, load_portrait_data
from render_core.families.portrait.eval import heldout_report, predict
from render_core.families.portrait.novelty import bank_to_json, face_bank, face_features
from render_core.families.portrait.warp_input import (
    guided_batch,
    mouth_openness,
    neighbour_table,
    source_positions,
)
from render_core.families.portrait.warp_net import generator_for
from render_core.jobs import JobContext
from render_core.models.patch_gan import MultiScalePatchGAN, PatchGANConfig
from render_core.tracking.steady import STEADY_SIGMA
from render_core.training import inputs
from render_core.training.family import Family, RunState, frozen
from render_core.training.inputs import adam, training_tracks
from render_core.training.split import split_metadata
from render_core.training.weight_average import rendering_model


class PortraitFamily(Family):
    name = "portrait"
    averaged = ("G",)
    presets = PRESETS

    def load_data(self, cfg: PortraitPreset, run, ctx: JobContext) -> PortraitData:
        from render_core.media.hashing import content_hash

        clip = Path(run.clips[0])
        # with the body too, as `track` and the render do: its head crop finds the small face of
        # a full-body shot, and the tracks cache is shared with them
        tracks = training_tracks(run, 0, ctx.sub(0.0, 0.5), face=True, body=True)
        data = load_portrait_data(
            clip,
            tracks,
            cfg.resolution,
            cfg.n_w,
            cfg.max_train_frames,
            ctx.sub(0.5, 1.0),
            content_hash(clip),
            cfg.crop_alpha,
            cfg.crop_slack,
            run.max_frames,
        )
        # Next to the checkpoint directory (which each save replaces), as the TensorBoard log is.
        out = Path(run.out_dir)
        data.sheet_path = out.with_name(out.name + ".contact_sheet.png")
        return data

    def build(self, cfg: PortraitPreset, data, dev):
        g = generator_for(cfg).to(dev.device, memory_format=dev.memory_format)
        dcfg = PatchGANConfig(in_ch=g.cfg.in_ch + 3, base=cfg.d_base, n_layers=cfg.d_layers)
        d = MultiScalePatchGAN(dcfg).to(dev.device, memory_format=dev.memory_format)
        opts = {"G": adam(g.parameters(), cfg), "D": adam(d.parameters(), cfg)}
        return {"G": g, "D": d}, opts

    def train_step(self, s: RunState, step: int) -> dict[str, float]:
        cfg: PortraitPreset = s.cfg
        g, d = s.models["G"], s.models["D"]
        g.train()
        x, y = (t.contiguous(memory_format=s.dev.memory_format) for t in _training_batch(s))
        adversarial = s.progress >= cfg.gan_start
        mask = None
        with s.dev.autocast():
            # The whole crop, replicated border past the frame edge included: leaving the border
            # out of L1 and D (real pixels standing in) scored lower (docs/performance.md).
            region = None
            if getattr(g, "pick", False):  # both compositions learn; the held-out report keeps one
                (fake, mask), (region, _) = g.both(x)
            elif cfg.warp_input:
                fake, mask, _ = g.compose(x)
            else:
                fake = g(x)
        # what the discriminator judges: every composition trained, each with its own input
        fakes, xs = (fake, x) if region is None else (torch.cat([fake, region]), torch.cat([x, x]))
        losses = {}
        if adversarial:
            with s.dev.autocast():
                loss_d = 0.5 * (
                    _gan(d(torch.cat([x, y], 1)), True) + _gan(d(torch.cat([xs, fakes.detach()], 1)), False)
                )
            s.opts["D"].zero_grad(set_to_none=True)
            loss_d.backward()
            s.opts["D"].step()
            losses["d"] = loss_d.item()
        with s.dev.autocast():
            l1 = F.l1_loss(fake.float(), y)
            loss_g = cfg.w_l1 * l1
            if region is not None:
                losses["l1_region"] = F.l1_loss(region.float(), y)
                loss_g = 0.5 * (loss_g + cfg.w_l1 * losses["l1_region"])
                losses["l1_region"] = losses["l1_region"].item()
            if mask is not None:  # what the network adds: its L1 against the warped source's
                losses["l1_warp"] = F.l1_loss(g.warped(x).float() * 2 - 1, y).item()
                losses["mask"] = mask.float().mean().item()
                if cfg.w_mask > 0:
                    loss_g = loss_g + cfg.w_mask * mask.float().mean()
            if adversarial:
                with frozen(d):  # gradient to the fake only, not to D's weights
                    adv = _gan(d(torch.cat([xs, fakes], 1)), True)
                loss_g = loss_g + cfg.w_adv * adv
                losses["g_adv"] = adv.item()
            if inputs.PERCEPTUAL_LOSS is not None and cfg.perceptual_weight > 0:
                loss_g = loss_g + cfg.perceptual_weight * inputs.PERCEPTUAL_LOSS(fake, y)
        s.opts["G"].zero_grad(set_to_none=True)
        loss_g.backward()
        s.opts["G"].step()
        return {"l1": l1.item(), **losses}

    def evaluate(self, s: RunState, final: bool, ctx: JobContext) -> dict[str, float]:
        held = s.data.heldout if final else s.data.heldout[: s.cfg.eval_frames]
        g = rendering_model(s.models, "G")
        rep = heldout_report(g, s.data, held, s.dev, full=final, ctx=ctx)
        if getattr(g, "pick", False):  # the trained weights render as their average was chosen to
            s.models["G"].set_composition(g.in_region())
        return rep

    def sample(self, s: RunState) -> np.ndarray:
        pos = int(s.data.heldout[0])
        out = predict(rendering_model(s.models, "G"), s.data, [pos], s.dev)[0]
        m = s.data.maps[pos].astype(np.float32) / 255.0
        real = s.data.crops[pos].astype(np.float32) / 255.0
        return np.concatenate([m[..., :3], m[..., 3:6], m[..., 6:], out, real], axis=1)

    def describe(self, cfg: PortraitPreset, data: PortraitData) -> dict:
        return {
            "train_clips": [{"path": str(data.clip), "hash": data.clip_hash}],
            **split_metadata(data.frames[data.train], data.frames[data.heldout]),
            "face_bank": training_face_bank(data),  # the renderer's out-of-range reference
            "conditioning": {
                "colors": data.colors.round(5).tolist(),
                "light": data.light.round(5).tolist(),
                "landmarks": "smoothed" if data.track.raw_landmarks is None else "raw",
                # rendered (and scored) on the detected landmarks steadied without lag
                "steady_sigma": STEADY_SIGMA if data.steady_maps else 0.0,
            },
        }


def _training_batch(s: RunState) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of random training targets; with the warp input, each with another frame of the
    clip warped to it (the pair the model learns to move an expression from)."""
    cfg: PortraitPreset = s.cfg
    pos = s.rng.choice(s.shard(s.data.train), size=cfg.batch_size)  # this process's frames
    if not cfg.warp_input:
        return s.data.batch(pos, s.dev.device)
    if "openness" not in s.extras:
        s.extras["openness"] = mouth_openness(s.data.landmarks_crop)
        s.extras["neighbours"] = neighbour_table(s.data.landmarks_crop, s.data.train, cfg.pair_near)
    src = source_positions(
        pos,
        s.data.train,
        s.extras["openness"],
        s.extras["neighbours"],
        s.rng,
        cfg.pair_far,
        cfg.pair_adjacent,
        s.data.frames,
    )
    return guided_batch(s.data, pos, src, s.dev.device, s.models["G"].inputs, render=False)


def training_face_bank(data: PortraitData) -> list:
    """The training frames' faces (expression and head pose), thinned (`novelty.face_bank`)."""
    f, idx = data.track, data.frames[data.train]
    h, w = data.frame_hw
    feats = face_features(f.landmarks[idx], f.head_pose[idx], f.focal, (w / 2.0, h / 2.0))
    return bank_to_json(face_bank(feats))


def _gan(logits: list, real: bool) -> torch.Tensor:
    """Log-loss (BCE with logits) averaged over every scale's patch map."""
    losses = [
        F.binary_cross_entropy_with_logits(o.float(), torch.full_like(o.float(), 1.0 if real else 0.0))
        for o in logits
    ]
    return sum(losses) / len(losses)
