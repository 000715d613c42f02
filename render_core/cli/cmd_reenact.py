"""`main.py reenact --project P --driving D -o OUT.mp4`: face reenactment in one command.

The same as `edit P reenact_face --driving D ...` then `render P`: the driving clip's
expression, head motion and gaze, relative to each clip's neutral frame, drive the target's
face through the project's renderer (a trained portrait model, or the warp baseline). The
driving clip's audio is muxed by default (the reenacted mouth speaks it), on the driving
clip's frame rate; `--audio target|none` keeps the target's own sound or none.
"""

from __future__ import annotations

import math
from pathlib import Path

from render_core.cli.args import add_driven_export_arguments, existing_file
from render_core.jobs import JobContext

NAME = "reenact"
HELP = "make the project's target perform a driving clip's expressions, head motion and gaze"


def add_arguments(p) -> None:
    add_driven_export_arguments(p, "the driving face video")
    p.add_argument("--channels", default="expression,head_pose,gaze", help="comma separated channels")
    p.add_argument("--strength", type=float, default=1.0, help="0..1 blend toward the driving motion")
    p.add_argument("--renderer", help="'warp' or a model id (default: the newest portrait model, else warp)")


def default_renderer(project) -> str:
    """The newest portrait model, else the warp renderer."""
    from render_core.project.driven import newest_model

    model = newest_model(project, "portrait")
    return model.id if model is not None else "warp"


def run(args, ctx: JobContext) -> dict:
    from render_core.edits.params import ReenactFaceParams, validate
    from render_core.edits.settings import ReenactSettings
    from render_core.project.driven import add_clip, driven_layer, performance_end, with_driven_layer
    from render_core.project.io import load_project, save_project
    from render_core.render.export_checks import check_driving_subject, check_export
    from render_core.render.pipeline import render_clip
    from render_core.render.sources import track_for_render

    project = load_project(args.project)
    project, ref = add_clip(project, existing_file(args.driving), driving=True)
    channels = ReenactSettings(ref.id, tuple(c.strip() for c in args.channels.split(","))).channels
    params = validate(ReenactFaceParams, {"strength": args.strength})
    cfg = reenact_config(project, ref, args)
    check_export(project, cfg)  # before the tracking, not after it
    target = project.target()
    n = target.info.frame_count
    folder = Path(project.folder)
    tgt = track_for_render(project.clip_path(target.id), folder, ctx.sub(0.0, 0.1))
    drv = track_for_render(project.clip_path(ref.id), folder, ctx.sub(0.1, 0.2))
    check_driving_subject("reenact_face", drv, args.driving)  # before the layer is saved
    settings = ReenactSettings(ref.id, channels, tgt.neutral_frame, drv.neutral_frame)
    end = max(
        0, performance_end(0, 0, ref.info, float(target.info.fps), n)
    )  # read by time, as the project does
    name = f"reenact {Path(args.driving).stem}"
    layer = driven_layer("reenact_face", 0, end, params, settings.to_json(), name)
    project = save_project(with_driven_layer(project, layer), folder)
    summary = render_clip(project, cfg, ctx.sub(0.2, 1.0))
    return {
        **summary,
        "layer": layer.id,
        "driving_clip": ref.id,
        "audio": args.audio,
        "neutral_frames": [settings.target_neutral_frame, settings.driving_neutral_frame],
    }


def reenact_config(project, ref, args):
    """The export: as long as the driving performance, on the driving clip's frame rate when its
    audio is kept (so sound and lips stay in sync when the clips' rates differ), else read by
    time at the target's rate (`edits.settings`)."""
    from render_core.render.pipeline import RenderConfig
    from render_core.render.timebase import checked_range

    target = project.target()
    rate = 1.0 if args.audio == "driving" else float(ref.info.fps) / float(target.info.fps)
    stop = min(target.info.frame_count, math.ceil(ref.info.frame_count / rate))
    return RenderConfig(
        format=args.format,
        output=args.output,
        frames=checked_range(args.frames or (0, None), stop, project.folder),
        renderer=args.renderer or default_renderer(project),
        height=args.height,
        crf=args.crf,
        preset=args.preset,
        audio=args.audio != "none",
        audio_clip=project.target_clip if args.audio == "target" else ref.id,
        timebase=ref.id if args.audio == "driving" else None,
        device=args.device,
    )
