"""Body family (Everybody Dance Now) benchmark.

Speed: ms per training step (main stage on a pair of frames with the GAN terms; the L1
warm-up's steps before them, G alone; face stage), ms per generated frame (generator alone,
and the sequencer with the face stage), generator GFLOP per frame and achieved GFLOP/s as a
ratio to the machine's measured fp32 matmul GFLOP/s (target >= 0.5); the same ratio for a
whole training step (`train_ratio`: both generator passes and the
discriminators, forward and backward, counted by torch's FLOP counter).
Quality (optional, `minutes` kwarg or BENCH_BODY_MINUTES): a full training on
B_musepose_ubcfashion_91BjuE6irxS.mp4 and its held-out report against its targets, a
transfer of B_tfjs_pose_1 onto it, and a contact sheet (`bench.sheets`) in the checkpoint.

Run: `python main.py bench body` or `.venv/bin/python -m bench.body [--minutes M] [--preset P]`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from bench.common import matmul_gflops, seed_means, train_step_flops
from bench.sheets import contact_sheet
from render_core.families.body.novelty import UNSEEN_POSE
from render_core.samples import footage_dir

CLIP = "B_musepose_ubcfashion_91BjuE6irxS.mp4"


def _timed(fn, reps: int, sync) -> float:
    """Median seconds per call after one warm-up call: robust to other processes' bursts on
    a shared machine (the load average is reported next to the numbers)."""
    fn()
    times = []
    for _ in range(reps):
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def synthetic_data(cfg, n: int = 8):
    """Random frames/poses of the preset's shape with a visible head (the face stage needs a
    box); speed does not depend on content."""
    from render_core.families.body.data import BodyFrames, PersonCrop, consecutive_pairs
    from render_core.families.body.family import BodyData
    from render_core.geometry.pose_normalization import NormalizationStats
    from render_core.training.split import Split

    h, w = cfg.resolution, cfg.width
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (2, n, h, w, 3), dtype=np.uint8)
    joints = np.zeros((n, 33, 4), np.float32)
    joints[..., 0] = w * (0.3 + 0.4 * rng.random((n, 33)))
    joints[..., 1] = h * (0.2 + 0.7 * rng.random((n, 33)))
    joints[:, :11, 0] = w / 2 + rng.normal(0, w * 0.04, (n, 11))
    joints[:, :11, 1] = h * 0.1 + rng.normal(0, h * 0.02, (n, 11))
    joints[..., 3] = 1.0
    valid = np.ones(n, bool)
    masks = np.zeros((n, h, w), np.float32)  # a person box: the warp input moves it
    masks[:, h // 10 : 9 * h // 10, w // 4 : 3 * w // 4] = 1.0
    frames = BodyFrames(images[0], images[1], joints, valid, PersonCrop(0, 0, 1, h, w), masks)
    stats = NormalizationStats(h * 0.8, h * 0.9, h * 0.7, h * 0.8, w / 2)
    split = Split(np.arange(n), np.arange(0))
    return BodyData(Path("synthetic"), "", frames, split, consecutive_pairs(valid, np.arange(n)), stats)


def speed(preset: str = "cpu-preview", device: str = "auto", reps: int = 5, amp: bool = True) -> dict:
    """Training-step and inference timings, FLOPs and achieved FLOP/s of one preset."""
    from render_core.families.body.family import BodyFamily
    from render_core.families.body.inference import BodySequencer
    from render_core.families.registry import get_preset
    from render_core.models.cpu_inference import pack_for_cpu
    from render_core.training.device import select_device
    from render_core.training.family import RunState

    cfg, fam = get_preset("body", preset), BodyFamily()
    dev = select_device(device, amp=amp and cfg.autocast)  # as training runs it
    sync = torch.cuda.synchronize if dev.device.type == "cuda" else (lambda: None)
    data = synthetic_data(cfg)
    models, opts = fam.build(cfg, data, dev)
    s = RunState(cfg, data, models, opts, dev, np.random.default_rng(0))
    # Main-stage steps with the GAN terms (G on both frames, the discriminators, forward and
    # backward) and, where the preset has one, the L1 warm-up's steps (G alone) before them.
    s.progress = cfg.gan_start * cfg.face_start
    main_s, step_flops = _timed(lambda: fam.train_step(s, 0), reps, sync), train_step_flops(fam, s)
    warmup = {"ms_per_warmup_step": None, "warmup_gflop_per_step": None, "warmup_ratio": None}
    if cfg.gan_start > 0:
        s.progress = 0.0
        warm_s, warm_flops = _timed(lambda: fam.train_step(s, 0), reps, sync), train_step_flops(fam, s)
        warmup = {"ms_per_warmup_step": round(warm_s * 1e3, 1),
                  "warmup_gflop_per_step": round(warm_flops / 1e9, 2),
                  "warmup_ratio": warm_flops / warm_s / 1e9}  # fmt: skip
    s.progress = 1.0
    face_s = _timed(lambda: fam.train_step(s, 0), reps, sync)
    average_ms = None
    if cfg.ema_decay > 0:  # the trainer updates the generator's weight average after each step
        from render_core.training.weight_average import add_averages, update_averages

        add_averages(models, fam.averaged)
        average_s = _timed(lambda: update_averages(models, fam.averaged, cfg.ema_decay), reps, sync)
        average_ms = round(average_s * 1e3, 2)
    g = models["G"].eval()
    pose = torch.rand(1, 3, cfg.resolution, cfg.width, device=dev.device).contiguous(
        memory_format=dev.memory_format
    )
    warped = pose if g.warp_guided else None  # content does not change the cost
    with FlopCounterMode(display=False) as fc, torch.no_grad():
        g(pose, pose, warped)
    flops = fc.get_total_flops()
    # Timed as the renderer runs them: weights prepacked on the CPU (models.cpu_inference).
    g, face = pack_for_cpu(g), pack_for_cpu(models["F"])

    @torch.no_grad()
    def infer():
        with dev.autocast():
            g(pose, pose, warped)

    frame_s = _timed(infer, reps * 2, sync)
    seq = BodySequencer(g, face, dev.device)
    pose_np, j = data.frames.poses[0].astype(np.float32) / 255, data.frames.joints[0]
    warped_np = pose_np if warped is not None else None
    seq_s = _timed(lambda: seq.step(pose_np, j, warped_np), reps * 2, sync)
    # The physical limit in the precision the generator runs in (bf16 under autocast).
    matmul_dtype = "float32" if dev.amp_dtype is None else str(dev.amp_dtype).removeprefix("torch.")
    peak = matmul_gflops(dtype=matmul_dtype, device=dev.device.type)
    achieved = flops / frame_s / 1e9
    return {
        "preset": preset,
        "device": dev.name,
        "size": f"{cfg.resolution}x{cfg.width}",
        "batch_size": cfg.batch_size,
        "ms_per_train_step": round(main_s * 1e3, 1),
        "ms_per_face_step": round(face_s * 1e3, 1),
        "ms_per_average_update": average_ms,
        "ms_per_frame_generator": round(frame_s * 1e3, 2),
        "ms_per_frame_with_face": round(seq_s * 1e3, 2),
        "generator_gflop_per_frame": round(flops / 1e9, 3),
        "achieved_gflops": round(achieved, 1),
        "matmul_dtype": matmul_dtype,
        "matmul_gflops": round(peak, 1),
        "ratio": round(achieved / peak, 3),
        "train_gflop_per_step": round(step_flops / 1e9, 2),
        "train_ratio": round(step_flops / main_s / 1e9 / peak, 3),
        **warmup,
        "warmup_ratio": round(warmup["warmup_ratio"] / peak, 3) if warmup["warmup_ratio"] else None,
        "threads": torch.get_num_threads(),
        "load_average": round(os.getloadavg()[0], 2),
    }


def quality(
    minutes: float, preset: str = "cpu-preview", device: str = "auto", out: str | None = None, seed: int = 0
) -> dict:
    """Train on the shared dance clip for `minutes`; returns the held-out report + checks."""
    from render_core.families.train import train_model
    from render_core.jobs import null_context
    from render_core.training.trainer import TrainConfig

    clip = footage_dir() / CLIP
    if not clip.exists():
        return {"skipped": f"{clip} not present"}
    folder = Path(out) if out else Path(tempfile.mkdtemp(prefix="bench_body_"))
    cfg = TrainConfig("body", [clip], folder / "models" / f"body-{preset}", preset, project_dir=folder,
                      minutes=minutes, device=device, overrides={"seed": seed},
                      tensorboard=False)  # fmt: skip
    load0 = os.getloadavg()[0]
    res = train_model(cfg, null_context())
    m = res.metrics
    checks = {
        "psnr_above_baseline": _gt(m.get("psnr"), m.get("baseline_psnr")),
        "ssim_above_baseline": _gt(m.get("ssim"), m.get("baseline_ssim")),
        "ewarp_ratio": _ratio(m.get("ewarp"), m.get("ewarp_real")),
        "pose_dist_ratio": _ratio(m.get("pose_dist_px"), m.get("pose_dist_real_px")),
    }
    return {"checkpoint": str(res.checkpoint), "seed": seed, "steps": res.steps,
            "wall_time_s": round(res.wall_time_s, 1),
            "load_average_start": round(load0, 2), "load_average_end": round(os.getloadavg()[0], 2),
            "heldout": m, **checks}  # fmt: skip


def transfer_follow(checkpoint: str, folder: Path, frames: int | None = None) -> dict:
    """`transfer` B_tfjs_pose_1 onto the trained target, re-track the export and compare its
    poses with the normalized driving poses the model was asked for (core joints, px of the
    target frame), against the distance of the target's own (unmoved) pose to them.

    Besides the mean over joints and frames: the per-frame median; the share of frames whose
    re-tracked pose is closer to the asked-for pose than the unmoved target's (a frame the
    detector misses counts as not following); and the median split by whether the asked-for pose
    is one the training clip shows (`pose_novelty.UNSEEN_POSE`), since a model that follows on
    its clip's poses can still fall apart on poses it never saw."""
    from render_core.cli import cmd_transfer
    from render_core.families.body.eval import frame_pose_distances, pose_distance
    from render_core.families.body.novelty import bank_from_json, novelty
    from render_core.jobs import null_context
    from render_core.media.decode import VideoReader
    from render_core.project.document import ModelRef
    from render_core.project.io import load_project, new_project, save_project
    from render_core.render.frame_edits import resolve_frame
    from render_core.render.sources import EditSources, HeldClipTracks, load_sources
    from render_core.tracking.retrack import retrack_body
    from render_core.training.checkpoint import load_checkpoint

    driving = footage_dir() / "B_tfjs_pose_1.mp4"
    project = new_project(folder / "transfer.rfproj", footage_dir() / CLIP)
    model = ModelRef("body-bench", "body", project.relative(checkpoint), "bench")
    save_project(project.with_model(model), project.folder)
    out = folder / "transfer.mp4"
    # Through the command's own parser, so the bench gets every option's default as users do.
    parser = argparse.ArgumentParser()
    cmd_transfer.add_arguments(parser)
    argv = ["--project", str(project.folder), "--driving", str(driving), "-o", str(out)]
    argv += ["--crf", "18", "--preset", "veryfast"] + (["--frames", f"0:{frames}"] if frames else [])
    args = parser.parse_args(argv)
    summary = cmd_transfer.run(args, null_context())
    project = load_project(project.folder)
    sources = load_sources(project, null_context())
    target = HeldClipTracks.of(sources.target)
    held = EditSources(target, sources.driving)
    n = summary["frames"]
    wanted = np.stack([resolve_frame(held, project.timeline, t).body_edit.joints for t in range(n)])
    own = np.stack([target.body(t).joints for t in range(n)])
    with VideoReader(out) as r:
        got, ok = retrack_body(f for _, f in r.frames())
    gap = novelty(wanted, bank_from_json(load_checkpoint(checkpoint).meta.get("pose_bank") or []))
    per_frame = follow_stats(
        frame_pose_distances(got, ok, wanted), frame_pose_distances(own, np.ones(n, bool), wanted), gap
    )
    return {"output": str(out), "frames": n, "render_fps": summary["fps"],
            "follow_dist_px": round(pose_distance(got, ok, wanted), 2), **per_frame,
            "unmoved_target_dist_px": round(pose_distance(own, np.ones(n, bool), wanted), 2),
            "detect_rate": round(float(ok.mean()), 3)}  # fmt: skip


def follow_stats(follow: np.ndarray, unmoved: np.ndarray, gap: np.ndarray) -> dict:
    """Per-frame figures of a transfer: `follow` (N,) px from the re-tracked output to the
    asked-for pose (NaN: the detector missed the output), `unmoved` (N,) px from the target's
    own pose to it (NaN: nothing asked), `gap` (N,) the asked-for pose's novelty (NaN: unknown,
    counted as unseen)."""
    asked = np.isfinite(unmoved)
    closer = np.nan_to_num(follow, nan=np.inf)[asked] < unmoved[asked]
    unseen = np.nan_to_num(gap, nan=np.inf) > UNSEEN_POSE
    return {
        "follow_median_px": _median(follow),
        "follow_share": round(float(closer.mean()), 3) if closer.size else None,
        "unseen_pose_frames": int(unseen.sum()),
        "follow_seen_median_px": _median(follow[~unseen]),
        "follow_unseen_median_px": _median(follow[unseen]),
    }


def _median(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return round(float(np.median(finite)), 2) if len(finite) else None


def _print_transfer(tr: dict) -> None:
    print(f"transfer of B_tfjs_pose_1 ({tr['frames']} frames, {tr['render_fps']} fps): re-tracked joints "
          f"{tr['follow_dist_px']} px from the normalized driving poses (the unmoved target: "
          f"{tr['unmoved_target_dist_px']} px); detect rate {tr['detect_rate']}")  # fmt: skip
    print(f"  per frame: median {tr['follow_median_px']} px; closer than the unmoved target in "
          f"{tr['follow_share']:.0%} of frames; {tr['unseen_pose_frames']} frames ask for poses the "
          f"training clip never shows: median {tr['follow_unseen_median_px']} px there, "
          f"{tr['follow_seen_median_px']} px elsewhere")  # fmt: skip


def _gt(a, b) -> bool | None:
    return None if a is None or b is None else bool(a > b)


def _ratio(a, b) -> float | None:
    return None if a is None or not b else round(a / b, 3)


def _print_quality(q: dict) -> None:
    if "skipped" in q:
        print(f"quality: skipped ({q['skipped']})")
        return
    m = q["heldout"]
    print(f"trained {q['steps']} steps in {q['wall_time_s']} s (load average {q['load_average_start']} -> "
          f"{q['load_average_end']}); checkpoint {q['checkpoint']}")  # fmt: skip
    print(f"held-out PSNR {m.get('psnr')} vs nearest-pose baseline {m.get('baseline_psnr')}; "
          f"SSIM {m.get('ssim')} vs {m.get('baseline_ssim')}")  # fmt: skip
    print(f"E_warp generated/real = {q['ewarp_ratio']} (target <= 1.2); pose distance / noise floor = "
          f"{q['pose_dist_ratio']} (target <= 1.5); detect rate {m.get('pose_detect_rate')}")  # fmt: skip
    print(f"sharpness on the person box, output/real: held-out {m.get('sharpness_ratio')}, "
          f"shoulders +40 edit {m.get('edit_sharpness_ratio')} (target >= 0.85)")  # fmt: skip


def run(args=None, ctx=None, minutes: float | None = None, preset: str | None = None,
        device: str | None = None) -> dict:  # fmt: skip
    """`python main.py bench body`: speed always; the training run when minutes are given
    (kwarg or BENCH_BODY_MINUTES; `--seeds K` trainings, each with its transfer, and their
    means); preset/device from kwargs or BENCH_BODY_PRESET/_DEVICE;
    torch threads from BENCH_BODY_THREADS."""
    from bench.common import print_table

    env_min = os.environ.get("BENCH_BODY_MINUTES")
    minutes = minutes if minutes is not None else getattr(args, "minutes", None)
    minutes = minutes if minutes is not None else (float(env_min) if env_min else None)
    preset = preset or os.environ.get("BENCH_BODY_PRESET", "cpu-preview")
    device = device or os.environ.get("BENCH_BODY_DEVICE", "auto")
    if os.environ.get("BENCH_BODY_THREADS"):  # 1 avoids OpenMP stalls when other jobs share the cores
        torch.set_num_threads(int(os.environ["BENCH_BODY_THREADS"]))
    if ctx is not None:
        ctx.step(0, 2, "speed")
    sp = speed(preset, device)
    rows = [sp] if sp["matmul_dtype"] == "float32" else [sp, speed(preset, device, amp=False)]
    print_table(rows, list(sp))
    result = {"speed": sp, "speed_float32": rows[-1]}
    seeds = max(1, int(getattr(args, "seeds", None) or 1))
    if minutes:
        runs = []
        for seed in range(seeds):
            if ctx is not None:
                ctx.step(1 + seed, 1 + seeds, f"training {minutes} min (seed {seed})")
            runs.append(quality(minutes, preset, device, seed=seed))
            _print_quality(runs[-1])
            if "checkpoint" in runs[-1]:  # every seed's model: one transfer is ~10 px of noise
                ckpt = runs[-1]["checkpoint"]
                runs[-1]["transfer"] = tr = transfer_follow(ckpt, Path(ckpt).parents[1])
                _print_transfer(tr)
                runs[-1]["contact_sheet"] = sheet = contact_sheet(
                    ckpt, Path(ckpt).parents[1] / "transfer.rfproj", Path(ckpt) / "contact_sheet.png"
                )
                print(f"contact sheet (source / warp renderer / model): {sheet['path']}")
        result["quality"] = q = runs[0]
        if "transfer" in q:
            result["transfer"] = q["transfer"]
        if seeds > 1 and "heldout" in q:
            flat = [{"clip": CLIP, **r["heldout"], "ewarp_ratio": r["ewarp_ratio"],
                     "pose_dist_ratio": r["pose_dist_ratio"],
                     "transfer_follow_px": r.get("transfer", {}).get("follow_dist_px"),
                     "transfer_follow_share": r.get("transfer", {}).get("follow_share")}
                    for r in runs]  # fmt: skip
            fields = ["psnr", "baseline_psnr", "ssim", "baseline_ssim", "ewarp_ratio", "pose_dist_ratio",
                      "transfer_follow_px", "transfer_follow_share"]  # fmt: skip
            result["quality_runs"] = runs
            result["quality_mean"] = means = seed_means(flat, "clip", fields)
            print_table(means, list(means[0]))
    return result


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--minutes", type=float, help="also train on the shared dance clip this long")
    p.add_argument("--preset", default="cpu-preview")
    p.add_argument("--device", default="auto")
    a = p.parse_args()
    run(minutes=a.minutes, preset=a.preset, device=a.device)


if __name__ == "__main__":
    main()
