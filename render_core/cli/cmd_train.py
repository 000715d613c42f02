"""`main.py train FAMILY --clip C --preset P`: train a personal model, print its held-out report."""

from __future__ import annotations

import os
from pathlib import Path

from render_core.cli.args import existing_file, positive_float, positive_int
from render_core.families.registry import FAMILY_PACKAGES
from render_core.jobs import JobContext
from render_core.training.verdict import below_baseline

NAME = "train"
HELP = "train a personal model (portrait, body) on a clip; checkpoints resume with --resume"


def add_arguments(p) -> None:
    p.add_argument("family", help="model family: " + ", ".join(FAMILY_PACKAGES))
    p.add_argument("--clip", help="training video (default: the project's target clip)")
    p.add_argument(
        "--project",
        help="project folder (checkpoint in <project>/models; model added to it); an image-set project"
        " (novel_view) trains on its newest capture",
    )
    p.add_argument("--tracks", help="tracks .npz for the clip (default: track it / use the project cache)")
    p.add_argument("--preset", default="cpu-preview", help="cpu-preview (default), gpu-quality")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=positive_float, help="wall-clock budget of this run (> 0)")
    budget.add_argument(
        "--steps", type=positive_int, help="total step target (a resumed run continues toward it)"
    )
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N")
    p.add_argument(
        "--distributed",
        action="store_true",
        help="run as one of torchrun's processes (data-parallel; see docs/distributed.md), e.g. "
        "torchrun --nproc-per-node 2 main.py train portrait --clip C --distributed",
    )
    p.add_argument("--out", help="checkpoint directory (default under the project)")
    p.add_argument("--max-frames", type=positive_int, help="use only the first N frames of the clip")
    p.add_argument("--resolution", type=positive_int, help="override the preset's resolution")
    p.add_argument(
        "--set",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="override preset settings, e.g. lr=7e-4 or (body) shift_augment=0.025; see the README",
    )


def run(args, ctx: JobContext) -> dict:
    from render_core.errors import InputError
    from render_core.families.registry import parse_overrides
    from render_core.families.train import train_model
    from render_core.project.document import ModelRef
    from render_core.project.io import load_project, save_project
    from render_core.render.camera_path import is_image_set_project, newest_capture
    from render_core.training.run_checks import check_resume
    from render_core.training.trainer import TrainConfig

    overrides = parse_overrides(args.family, args.preset, args.set) if args.set else {}
    if args.resolution:
        overrides["resolution"] = args.resolution
    image_set = bool(args.project) and is_image_set_project(args.project)
    project = load_project(args.project) if args.project and not image_set else None
    if args.clip is None and project is None and not image_set:
        raise InputError(None, "give --clip, or --project with a target clip")
    if args.clip:
        clip = existing_file(args.clip)
    else:
        clip = newest_capture(Path(args.project)) if image_set else project.clip_path(project.target().id)
    folder = project.folder if project else (Path(args.project) if image_set else None)
    model_id = f"{args.family}-{args.preset}"
    out = Path(args.out) if args.out else (folder or clip.parent) / "models" / model_id
    if not args.distributed:  # torchrun's restarts resume with the first start's command line
        check_resume(out, args.resume)  # the rest is checked where the job starts (`run_checks`)
    cfg = TrainConfig(
        family=args.family,
        clips=[clip],
        out_dir=out,
        preset=args.preset,
        project_dir=folder,
        tracks=[existing_file(args.tracks)] if args.tracks else None,
        steps=args.steps,
        minutes=args.minutes,
        resume=args.resume,
        device=args.device,
        overrides=overrides,
        max_frames=args.max_frames,
        distributed=args.distributed,
    )
    res = train_model(cfg, ctx)
    rank = int(os.environ.get("RANK", "0")) if args.distributed else 0
    if rank != 0:  # rank 0 wrote the checkpoint and reports it
        return {"rank": rank, "steps": res.steps}
    if project is not None:
        metrics = {k: float(v) for k, v in res.metrics.items() if isinstance(v, int | float)}
        ref = ModelRef(model_id, args.family, project.relative(res.checkpoint), args.preset, metrics)
        save_project(load_project(project.folder, check_clips=False).with_model(ref), project.folder)
    verdict = below_baseline(res.metrics)
    return {
        **({"warnings": [verdict]} if verdict else {}),
        "checkpoint": str(res.checkpoint),
        "family": args.family,
        "preset": args.preset,
        "steps": res.steps,
        "wall_time_s": round(res.wall_time_s, 1),
        "device": res.meta.get("device"),
        "processes": res.meta.get("processes", 1),
        "heldout": res.metrics,
    }
