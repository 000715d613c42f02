"""The body family (Everybody Dance Now) under the shared training loop: presets, data, steps,
held-out report. The main stage runs until `face_start` of the budget, then the face stage
(residual face GAN, main G frozen) as in the paper.

Convention: model images (B, 3, H, W) float32 RGB [0, 1]; `resolution` is the model height,
`width` its width (both divisible by 2**n_down).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from render_core.errors import InputError
from render_core.families.body.data import (
    BodyFrames,
    build_body_frames,
    consecutive_pairs,
    person_crop,
    pose_image,
)
from render_core.families.body.eval import full_report, image_scores, nearest_pose_indices
from render_core.families.body.inference import BodySequencer
from render_core.families.body.novelty import bank_to_json, pose_bank
from render_core.families.body.realism import reference_edit, sharpness_ratio
from render_core.families.body.step import BodyNets, PairBatch, face_step, main_step
from render_core.families.body.warp_input import (
    model_plate,
    pick_sources,
    steady_sources,
    warp_to,
    warped_tensor,
)
from render_core.geometry.pose_normalization import NormalizationStats
from render_core.jobs import JobContext
from render_core.media.frames import to_float
from render_core.tracking.tracks import Tracks
from render_core.training.families import register_family
from render_core.training.family import BasePreset, Family, RunState, linear_decay
from render_core.training.presets import register_preset
from render_core.training.split import Split, frame_runs, gap_frames, select_frames, tracks_fps
from render_core.training.weight_average import adopt_average, rendering_model


@dataclass(frozen=True)
class BodyConfig(BasePreset):
    """Generator/discriminator widths, loss weights and face stage of one body preset.
    lambda_l1 stands in for the paper's VGG loss; the presets weigh it 100 as pix2pix does (with
    the paper's x10 an L1 on [0, 1] images is ~10x weaker than a VGG term and the generator
    underfit: 26.8 vs 28.0 dB held-out after 10 min); lambda_perceptual weighs a user hook."""

    resolution: int = 160
    width: int = 96
    batch_size: int = 2
    ngf: int = 16
    n_down: int = 3
    n_blocks: int = 4
    max_channels: int = 128
    ndf: int = 16
    d_layers: int = 3
    d_scales: int = 2
    lambda_gan: float = 1.0
    lambda_fm: float = 10.0
    lambda_l1: float = 10.0
    lambda_perceptual: float = 0.0
    lambda_ssim: float = 0.0  # x (1 - SSIM) of each frame, a weight-free structural term
    face_start: float = 0.85
    face_size: int = 32
    face_box_scale: float = 2.2
    face_ngf: int = 16
    face_n_down: int = 2
    face_n_blocks: int = 2
    face_ndf: int = 16
    # Random translation of each training pair (pose, frames and face joints together) by at
    # most this share of the model width; 0 = none. 10 min on B_musepose (1 thread, Adam 1e-3):
    # 0.06 made the B_tfjs_pose_1 transfer follow its driving poses closer, 32.9 px in both
    # seeds against 38-49 px in 3 models without (the target's own pose: 64 px), but cost 2.5 dB of
    # held-out PSNR (26.5 vs 29.0) and put the pose distance at 2.1x the detector's floor. 0.025:
    # 27.5 dB, transfer 29 / 46 px (seeds 0 / 1); shifting only the first 45% or 25% of the
    # budget kept the held-out PSNR (28.6-29.1) and lost the transfer gain. cpu-preview keeps 0;
    # `train body --set shift_augment=0.06` trades held-out fit for unseen poses.
    shift_augment: float = 0.0
    shift_until: float = 1.0  # share of the budget (progress) after which pairs are not shifted
    # Warp-guided generator (families/body/warp_input.py): G also sees a real frame moved to the
    # target skeleton and predicts a hallucination mask. Training sources lie up to
    # `source_offset` training frames from the target (`source_same`: share that use the target
    # itself); `lambda_mask` x the mean mask prefers the moved real pixels where they fit.
    # False (checkpoints from before): pose and previous output only.
    warp_input: bool = False
    source_offset: int = 60
    source_same: float = 0.15
    lambda_mask: float = 1.0


EDIT_FRAMES = 24  # held-out frames the report renders with the reference edit
UNSEEN_POSE_SHIFT = 0.06  # shift_augment of the studio's "for poses the clip never shows" option


# cpu-preview, measured on B_musepose (10 min): 128x80 + batch 1 (pix2pixHD's) + ngf 32 beat
# 160x96 / batch 2 / ngf 16 on held-out PSNR and pose distance; the learning rate decays over
# the second half of each stage (pix2pixHD's schedule). float32: with bf16 autocast the steps
# ran 1.7x faster but held-out PSNR fell 0.6 dB and transfers of unseen poses fell apart.
# The first 60% of the main stage trains on L1 alone (1.4x faster steps: no discriminator
# passes), then the GAN terms join: 28.86 / 29.10 dB (seeds 0 / 1) vs 27.97 with GAN from step 1.
# The (1 - SSIM) x 200 term raised held-out SSIM in each of 4 seeds (mean 0.9706 vs 0.9688
# without; the baseline's 0.9707) and PSNR 28.84 vs 28.75 dB (1 thread); x 500 did worse.
# Adam at 1e-3 (pix2pixHD's 2e-4 elsewhere): 10 min on the 2-core AMD, 1 thread, seed 0 held-out
# PSNR 28.36 / 28.48 / 28.80 / 29.05 dB at 2e-4 / 4e-4 / 7e-4 / 1e-3 against the baseline's
# 28.58 (seed 1: 28.74 at 7e-4, 28.95 at 1e-3); 2e-3 diverged (11 dB). Pose distance 1.36 ->
# 1.46-1.48x the detector's floor (limit 1.5x). The price: the B_tfjs_pose_1 transfer's re-tracked
# joints sit 38-49 px from the driving poses (3 models) against 34-36 px at 2e-4 (3 models), mostly
# the raised arms the clip never shows (wrists 68 -> 112 px); they still follow (unmoved: 64 px).
# All of the above was measured on aliased crops (cv2.warpAffine has no area filter; crops are
# box-filtered since media.resample): the held-out frames were noisy, the baseline read 28.58
# dB where it reads 35.88 on filtered crops, and the pose distance's reference was 0.4 px off.
# Re-measured on filtered crops (10 min, 1 thread, seeds 0 / 1; baseline 35.88 dB): Adam 1e-3
# 35.77 / 35.34 dB, pose 1.81 / 2.02x, E_warp 1.28 / 1.17x; 5e-4 35.87 / 35.63 dB, 1.52 / 1.60x,
# 1.14 / 1.07x; 3e-4 36.28 / 35.55 dB, 1.58 / 1.63x, 1.02 / 1.03x. 5e-4: best pose distance.
# `--set ema_decay=0.995` renders with the generator's weight average (about its last 200 steps)
# and trades pose accuracy for held-out PSNR. Against the trained weights of the same runs
# (1 thread; seeds 0-3, and gan_start 0.8 seeds 0 / 1): PSNR +0.04 / +0.46 / -0.18 / +0.22 /
# +0.01 / +0.44 dB; two more runs with the face stage on each: +0.41 / +0.64 dB, E_warp 1.04 /
# 1.08x vs 1.07 / 1.12x, but pose distance 1.69 / 1.69x vs 1.61 / 1.40x and transfer 58 / 44 px
# vs 54 / 43 px. At 2 threads (bench, seeds 0 / 1) it stayed below the baseline: 35.75 / 35.79
# dB vs 35.88. Decays 0.998-0.999 kept weights from before the decay and lost 0.1-1.5 dB.
# cpu-preview keeps the trained weights: pose distance is a target the average puts at risk.
# The warp-guided generator renders the person's box at 256x160 (about half the rows of a 540-row
# clip, where 128x80 kept a quarter) with ngf 16, which keeps a step within ~2-3x of 128x80 at
# ngf 32 (ngf 32 at 256x160: ~5x); `bench body` prints the step times.
CPU_PREVIEW = BodyConfig(
    resolution=256, width=160, batch_size=1, ngf=16, max_channels=256, lambda_l1=100.0,
    lr_decay_from=0.5, face_start=0.9, autocast=False, gan_start=0.6, lambda_ssim=200.0, lr=5e-4,
    warp_input=True,
)  # fmt: skip
GPU_QUALITY = BodyConfig(
    resolution=512, width=256, batch_size=4, ngf=64, n_down=4, n_blocks=9, max_channels=1024, ndf=64,
    d_layers=3, d_scales=2, face_size=128, face_ngf=32, face_n_down=3, face_n_blocks=5, face_ndf=64,
    lambda_l1=100.0, lr_decay_from=0.5,
    checkpoint_every=1000, eval_every=1000, sample_every=500, default_minutes=120.0, warp_input=True,
)  # fmt: skip
# The body model before the warp input, for comparisons: `train body --set warp_input=false
# resolution=128 width=80 ngf=32`.


@dataclass
class BodyData:
    """A clip prepared for training: model-res frames, split, training pairs, target stats."""

    clip: Path
    clip_hash: str
    frames: BodyFrames
    split: Split
    pairs: np.ndarray
    stats: NormalizationStats
    frame_size: tuple[int, int] = (0, 0)  # (w, h) px of the clip's frames: the crop's pixel frame
    face_steps: int = 0  # face-stage updates run (the renderer uses F only when it was trained)
    frame_index: np.ndarray | None = None  # (N,) clip frame of each entry of `frames` (None: 0..N-1)
    plate: np.ndarray | None = None  # (h, w, 3) model-space clean plate of the training frames

    @cached_property
    def pose_bank(self) -> np.ndarray:
        """The training frames' normalized poses, thinned (`pose_novelty.pose_bank`)."""
        return pose_bank(self.frames.joints[self.split.train])


def _load_tracks(run, clip: Path, max_frames: int | None, ctx: JobContext) -> Tracks:
    if run.tracks:
        return Tracks.load(run.tracks[0])
    from render_core.tracking.track_clip import TrackConfig, track_clip

    cfg = TrackConfig(clip=clip, project_dir=run.project_dir, face=False, body=True, max_frames=max_frames)
    return track_clip(cfg, ctx).tracks


def load_body_data(cfg: BodyConfig, run, ctx: JobContext) -> BodyData:
    """Track (or load tracks of) the first clip, crop every frame to the person box, split."""
    from render_core.media.decode import VideoReader
    from render_core.media.hashing import content_hash

    clip = Path(run.clips[0])
    tracks = _load_tracks(run, clip, run.max_frames, ctx.sub(0.0, 0.5))
    if tracks.body is None or not tracks.body.valid.any():
        raise InputError(clip, "no body was tracked in this clip")
    body = tracks.body
    n = min(len(body), run.max_frames or len(body))
    joints, valid = body.joints[:n], body.valid[:n]
    crop = person_crop(joints, valid, (cfg.resolution, cfg.width))
    # At most max_train_frames in memory: a long clip keeps runs spread over all of it.
    sel = select_frames(valid, cfg.max_train_frames, gap=gap_frames(tracks_fps(tracks.meta)))
    sub = ctx.sub(0.5, 1.0)
    with VideoReader(clip) as reader:
        if int(sel.frames[-1]) >= len(reader):
            raise InputError(clip, f"clip ended before frame {int(sel.frames[-1])} the tracks refer to")
        h, w = reader.read(int(sel.frames[0])).shape[:2]  # as decoded (rotation applied)
        # read() converts only the kept frames and seeks over the gaps between runs
        kept = ((int(i), reader.read(int(i))) for i in sel.frames)
        masks = body.mask if cfg.warp_input else None  # the warp moves the person layer
        frames = build_body_frames(
            kept, joints, valid, crop, masks, step=lambda d, t: sub.step(d, t), keep=sel.frames
        )
    split = Split(sel.train, sel.heldout)  # positions into `frames`
    kept_train = sel.frames[sel.train]
    stats = NormalizationStats.from_joints(joints[kept_train], valid[kept_train])
    pairs = consecutive_pairs(frames.valid, split.train, sel.frames)
    plate = model_plate(frames, split.train) if cfg.warp_input else None
    return BodyData(
        clip, content_hash(clip), frames, split, pairs, stats, (w, h), frame_index=sel.frames, plate=plate
    )


def _tensor(images: np.ndarray, dev: torch.device) -> torch.Tensor:
    """uint8 (B, H, W, 3) -> float (B, 3, H, W) [0, 1] on `dev`."""
    return torch.from_numpy(images).to(dev).permute(0, 3, 1, 2).float().div_(255.0)


def make_batch(data: BodyData, rows: np.ndarray, dev: torch.device) -> PairBatch:
    f = data.frames
    t0, t1 = rows[:, 0], rows[:, 1]
    return PairBatch(
        _tensor(f.poses[t0], dev), _tensor(f.poses[t1], dev), _tensor(f.frames[t0], dev),
        _tensor(f.frames[t1], dev), f.joints[t1],
    )  # fmt: skip


def shift_batch(b: PairBatch, shifts: np.ndarray) -> PairBatch:
    """Translate each pair by its (dx, dy) px (int), the border repeated: pose, frames and the
    face joints move together, so the model sees the same person at other places in the crop."""
    m = int(np.abs(shifts).max()) if len(shifts) else 0
    if m == 0:
        return b
    h, w = b.p0.shape[2:]

    def move(x: torch.Tensor) -> torch.Tensor:
        padded = F.pad(x, (m, m, m, m), mode="replicate")
        return torch.stack(
            [padded[i, :, m - dy : m - dy + h, m - dx : m - dx + w] for i, (dx, dy) in enumerate(shifts)]
        )

    joints = np.array(b.joints1, np.float32, copy=True)
    joints[..., 0] += shifts[:, 0, None]
    joints[..., 1] += shifts[:, 1, None]
    w0, w1 = (None, None) if b.w0 is None else (move(b.w0), move(b.w1))
    return PairBatch(move(b.p0), move(b.p1), move(b.r0), move(b.r1), joints, w0, w1)


class BodyFamily(Family):
    name = "body"
    averaged = ("G",)

    def load_data(self, cfg: BodyConfig, run, ctx: JobContext) -> BodyData:
        return load_body_data(cfg, run, ctx)

    def build(self, cfg: BodyConfig, data: BodyData, dev):
        nets = BodyNets(cfg).to(dev.device, memory_format=dev.memory_format)
        # fused: one pass over the weights (measured ~4x less optimizer time on CPU)
        adam = lambda ps: torch.optim.Adam(ps, lr=cfg.lr, betas=(cfg.beta1, 0.999), fused=True)
        models = {"G": nets.G, "D": nets.D, "DT": nets.DT, "F": nets.F, "DF": nets.DF}
        opts = {
            "g": adam(nets.G.parameters()),
            "d": adam([*nets.D.parameters(), *nets.DT.parameters()]),
            "f": adam(nets.F.parameters()),
            "df": adam(nets.DF.parameters()),
        }
        return models, opts

    def train_step(self, s: RunState, step: int) -> dict[str, float]:
        cfg, data = s.cfg, s.data
        k = min(cfg.batch_size, len(data.pairs))
        rows = data.pairs[s.rng.choice(len(data.pairs), size=k, replace=False)]
        b = make_batch(data, rows, s.dev.device)
        if cfg.warp_input:
            src = pick_sources(s.rng, data.split.train, rows[:, 1], cfg.source_offset, cfg.source_same)
            b.w0 = warped_tensor(data.frames, src, rows[:, 0], data.plate, s.dev.device)
            b.w1 = warped_tensor(data.frames, src, rows[:, 1], data.plate, s.dev.device)
        if cfg.shift_augment > 0 and s.extras.get("progress", 0.0) < cfg.shift_until:
            m = max(1, round(cfg.shift_augment * cfg.width))
            b = shift_batch(b, s.rng.integers(-m, m + 1, size=(k, 2)))
        nets = _nets(s)
        if s.extras.get("progress", 0.0) >= cfg.face_start:
            if not s.extras.get("face_stage"):  # the face stage refines the G that will render
                adopt_average(s.models, "G")
                s.extras["face_stage"] = True
            losses = face_step(nets, b, s.opts["f"], s.opts["df"], cfg, s.dev.autocast)
            data.face_steps += bool(losses)
            return losses
        adversarial = s.extras.get("progress", 0.0) >= cfg.gan_start * cfg.face_start
        return main_step(
            nets, b, s.opts["g"], s.opts["d"], cfg, s.dev.autocast, s.extras.get("perceptual"), adversarial
        )

    def lr_factor(self, cfg: BodyConfig, optimizer: str, progress: float) -> float:
        """Each stage decays over its own share of the budget: main (g, d) until `face_start`,
        the face stage (f, df) after it."""
        if optimizer in ("f", "df"):
            start = cfg.face_start + (1.0 - cfg.face_start) * cfg.lr_decay_from
            return linear_decay(progress, start, 1.0)
        return linear_decay(progress, cfg.face_start * cfg.lr_decay_from, cfg.face_start)

    def evaluate(self, s: RunState, final: bool, ctx: JobContext) -> dict[str, float]:
        data = s.data
        idx = data.split.heldout[: s.cfg.eval_frames if not final else None]
        if len(idx) == 0:
            return {}
        fakes, reals = generate(s, idx), [to_float(data.frames.frames[i]) for i in idx]
        if not final:
            return image_scores(fakes, reals, "")
        near = data.split.train[
            nearest_pose_indices(data.frames.joints[idx], data.frames.joints[data.split.train])
        ]
        baseline = [to_float(data.frames.frames[i]) for i in near]
        # Where the crop images hold those joints: the detector reads image positions.
        in_image = data.frames.joints[idx].copy()
        in_image[..., :2] += data.frames.crop.image_shift
        return {**full_report(fakes, reals, in_image, baseline), **realism_scores(s, idx, fakes, reals)}

    def sample(self, s: RunState) -> np.ndarray:
        data = s.data
        idx = data.split.heldout[:1] if len(data.split.heldout) else data.split.train[:1]
        fake = generate(s, idx)[0]
        return np.concatenate(
            [to_float(data.frames.poses[idx[0]]), fake, to_float(data.frames.frames[idx[0]])], 1
        )

    def describe(self, cfg: BodyConfig, data: BodyData) -> dict:
        clip_frames = data.frame_index if data.frame_index is not None else np.arange(len(data.frames))
        return {
            "width": cfg.width,
            "height": cfg.resolution,
            "train_clips": [{"path": str(data.clip), "hash": data.clip_hash}],
            "crop": data.frames.crop.to_dict(),
            "frame_size": list(data.frame_size),
            "face_steps": int(data.face_steps),
            "normalization": data.stats.to_dict(),
            "train_frames": int(len(data.split.train)),
            "train_runs": frame_runs(clip_frames[data.split.train]),  # [first, last] clip frames
            "heldout_frames": int(len(data.split.heldout)),
            "heldout_runs": frame_runs(clip_frames[data.split.heldout]),
            "pose_bank": bank_to_json(data.pose_bank),  # the renderer's novelty reference
        }


def _nets(s: RunState) -> BodyNets:
    if "nets" not in s.extras:
        nets = BodyNets.__new__(BodyNets)
        torch.nn.Module.__init__(nets)
        for name, m in s.models.items():
            setattr(nets, name, m)
        s.extras["nets"] = nets
    return s.extras["nets"]


def generate(
    s: RunState, idx: np.ndarray, joints: np.ndarray | None = None, sources: np.ndarray | None = None
) -> list[np.ndarray]:
    """The model's frames for consecutive indices `idx` (feedback restarts at the first one), at
    their own joints or at `joints` (N, 33, 4) model px (an edit of them). A warp-guided generator
    moves the frames `sources` to each pose; by default a training frame of a near pose, kept
    while it stays near (`warp_input.steady_sources`), so a held-out frame never sees its own
    pixels."""
    use_face = s.extras.get("progress", 0.0) >= s.cfg.face_start
    seq = BodySequencer(rendering_model(s.models, "G"), s.models["F"] if use_face else None, s.dev.device)
    f, data = s.data.frames, s.data
    joints = f.joints[idx] if joints is None else joints
    if not s.cfg.warp_input:
        return [seq.step(to_float(pose_image(j, f.crop)), j) for j in joints]
    if sources is None:
        train = data.split.train
        sources = train[steady_sources(joints, f.joints[train])]
    out = []
    for j, src in zip(joints, sources, strict=True):
        warped = warp_to(f.frames[src], f.masks[src], f.joints[src], j, data.plate)
        out.append(seq.step(to_float(pose_image(j, f.crop)), j, warped))
    return out


def realism_scores(s: RunState, idx: np.ndarray, fakes: list[np.ndarray], reals: list[np.ndarray]) -> dict:
    """Sharpness ratios (`realism`) of the held-out frames and of the reference edit of the
    first of them, each edited from its own frame as the renderer edits a clip."""
    f = s.data.frames
    edit_idx = idx[:EDIT_FRAMES]
    edited = reference_edit(f.joints[edit_idx])
    outs = generate(s, edit_idx, edited, sources=edit_idx)
    return {
        "sharpness_ratio": sharpness_ratio(fakes, reals, f.joints[idx], f.joints[idx]),
        "edit_sharpness_ratio": sharpness_ratio(outs, reals[: len(edit_idx)], edited, f.joints[edit_idx]),
    }


register_preset("body", "cpu-preview", CPU_PREVIEW)
register_preset("body", "gpu-quality", GPU_QUALITY)
register_family(BodyFamily())
