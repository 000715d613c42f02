"""The body family's training (Everybody Dance Now) under the shared loop: data, steps,
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
from render_core.families.body.config import EDIT_FRAMES, PRESETS, BodyConfig
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
from render_core.training import inputs
from render_core.training.family import Family, RunState, linear_decay
from render_core.training.inputs import adam, check_covers, training_tracks
from render_core.training.split import Split, gap_frames, select_frames, split_metadata, tracks_fps
from render_core.training.weight_average import adopt_average, rendering_model


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


def load_body_data(cfg: BodyConfig, run, ctx: JobContext) -> BodyData:
    """Track (or load tracks of) the first clip, crop every frame to the person box, split."""
    from render_core.media.decode import VideoReader
    from render_core.media.hashing import content_hash

    clip = Path(run.clips[0])
    tracks = training_tracks(run, 0, ctx.sub(0.0, 0.5), face=False, body=True)
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
        check_covers(clip, len(reader), int(sel.frames[-1]))
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
    presets = PRESETS

    def load_data(self, cfg: BodyConfig, run, ctx: JobContext) -> BodyData:
        return load_body_data(cfg, run, ctx)

    def build(self, cfg: BodyConfig, data: BodyData, dev):
        nets = BodyNets(cfg).to(dev.device, memory_format=dev.memory_format)
        models = {"G": nets.G, "D": nets.D, "DT": nets.DT, "F": nets.F, "DF": nets.DF}
        opts = {
            "g": adam(nets.G.parameters(), cfg),
            "d": adam([*nets.D.parameters(), *nets.DT.parameters()], cfg),
            "f": adam(nets.F.parameters(), cfg),
            "df": adam(nets.DF.parameters(), cfg),
        }
        return models, opts

    def train_step(self, s: RunState, step: int) -> dict[str, float]:
        cfg, data = s.cfg, s.data
        pairs = s.shard(data.pairs)  # this process's share of the training pairs
        k = min(cfg.batch_size, len(pairs))
        rows = pairs[s.rng.choice(len(pairs), size=k, replace=False)]
        b = make_batch(data, rows, s.dev.device)
        if cfg.warp_input:
            src = pick_sources(s.rng, data.split.train, rows[:, 1], cfg.source_offset, cfg.source_same)
            b.w0 = warped_tensor(data.frames, src, rows[:, 0], data.plate, s.dev.device)
            b.w1 = warped_tensor(data.frames, src, rows[:, 1], data.plate, s.dev.device)
        if cfg.shift_augment > 0 and s.progress < cfg.shift_until:
            m = max(1, round(cfg.shift_augment * cfg.width))
            b = shift_batch(b, s.rng.integers(-m, m + 1, size=(k, 2)))
        nets = _nets(s)
        if s.progress >= cfg.face_start:
            if not s.extras.get("face_stage"):  # the face stage refines the G that will render
                adopt_average(s.models, "G")
                s.extras["face_stage"] = True
            losses = face_step(nets, b, s.opts["f"], s.opts["df"], cfg, s.dev.autocast)
            data.face_steps += bool(losses)
            return losses
        adversarial = s.progress >= cfg.gan_start * cfg.face_start
        return main_step(
            nets, b, s.opts["g"], s.opts["d"], cfg, s.dev.autocast, inputs.PERCEPTUAL_LOSS, adversarial
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
            **split_metadata(clip_frames[data.split.train], clip_frames[data.split.heldout]),
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
    use_face = s.progress >= s.cfg.face_start
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
