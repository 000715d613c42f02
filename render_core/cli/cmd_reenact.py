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

from render_core.cli.args import add_format_argument, existing_file, frame_range
from render_core.jobs import JobContext

NAME = "reenact"
HELP = "make the project's target perform a driving clip's expressions, head motion and gaze"


def add_arguments(p) -> None:
    p.add_argument("--project", required=True, help="project folder (its target is reenacted)")
    p.add_argument("--driving", required=True, help="the driving face video (added to the project)")
    p.add_argument("-o", "--output", required=True, help="output video file (or folder, with --format png)")
    p.add_argument("--channels", default="expression,head_pose,gaze", help="comma separated channels")
    p.add_argument("--strength", type=float, default=1.0, help="0..1 blend toward the driving motion")
    p.add_argument(
        "--audio",
        choices=["driving", "target", "none"],
        default="driving",
        help="whose audio to keep (default: the driving clip's, which the reenacted mouth follows)",
    )
    p.add_argument("--renderer", help="'warp' or a model id (default: the newest portrait model, else warp)")
    p.add_argument("--frames", type=frame_range, help="only frames A:B")
    p.add_argument("--preset", help="x264 preset (ultrafast..veryslow)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    add_format_argument(p)


def default_renderer(project) -> str:
    portraits = [m.id for m in project.models if m.family == "portrait"]
    return portraits[-1] if portraits else "warp"


def run(args, ctx: JobContext) -> dict:
    from render_core.cli.cmd_project import add_clip
    from render_core.edits.layer import EditLayer
    from render_core.edits.params import ReenactFaceParams, validate
    from render_core.edits.settings import ReenactSettings, last_driven_frame
    from render_core.project.io import load_project, save_project
    from render_core.render.pipeline import RenderConfig, check_output, render_clip
    from render_core.render.sources import track_for_render

    project = load_project(args.project)
    project, ref = add_clip(project, existing_file(args.driving), driving=True)
    check_output(project, args.output, args.format)  # before the tracking, not after it
    target = project.target()
    n = target.info.frame_count
    folder = Path(project.folder)
    tgt = track_for_render(project.clip_path(target.id), folder, ctx.sub(0.0, 0.1))
    drv = track_for_render(project.clip_path(ref.id), folder, ctx.sub(0.1, 0.2))
    channels = tuple(c.strip() for c in args.channels.split(","))
    settings = ReenactSettings(ref.id, channels, tgt.neutral_frame, drv.neutral_frame)
    params = validate(ReenactFaceParams, {"strength": args.strength})
    by_time = float(ref.info.fps) / float(target.info.fps)  # how the project reads the layer
    layer = EditLayer(
        "reenact_face",
        0,
        max(0, min(n - 1, last_driven_frame(0, 0, ref.info.frame_count, by_time))),  # the performance
        {0: params},
        interpolation="hold",
        settings=settings.to_json(),
        name=f"reenact {Path(args.driving).stem}",
    )
    project = save_project(project.with_timeline(project.timeline.add_layer(layer)), folder)
    # The driving motion lasts as long as the driving clip: on its own frame rate with its audio,
    # else read by time at the target's rate (`edits.settings`).
    rate = 1.0 if args.audio == "driving" else float(ref.info.fps) / float(target.info.fps)
    stop = min(n, math.ceil(ref.info.frame_count / rate))
    start, end = args.frames or (0, stop)
    cfg = RenderConfig(
        format=args.format,
        output=args.output,
        frames=(start, min(end or stop, stop)),
        renderer=args.renderer or default_renderer(project),
        preset=args.preset,
        audio=args.audio != "none",
        audio_clip=project.target_clip if args.audio == "target" else ref.id,
        # The mouth follows the driving clip frame by frame: with its audio, play the frames at
        # its rate too, so sound and lips stay in sync when the two clips' rates differ.
        timebase=ref.id if args.audio == "driving" else None,
        device=args.device,
    )
    summary = render_clip(project, cfg, ctx.sub(0.2, 1.0))
    return {
        **summary,
        "layer": layer.id,
        "driving_clip": ref.id,
        "audio": args.audio,
        "neutral_frames": [settings.target_neutral_frame, settings.driving_neutral_frame],
    }
