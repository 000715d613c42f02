"""`main.py transfer --project P --driving DANCE -o OUT.mp4`: motion transfer (Everybody Dance Now).

The target person of project P performs the dance of DANCE. No separate pipeline: the driving
clip is added to the project, a `transfer_body` layer (strength 1, global pose normalization,
7-frame median of the driving keypoints) is written over the driving clip's length, and the
ordinary `render_clip` renders it with the project's body model, following the driving clip's
timebase (frame count and fps; the target's frames are background plates, its last frame held
when the dance is longer). The driving clip's audio is muxed by default.
"""

from __future__ import annotations

from render_core.cli.args import add_driven_export_arguments, existing_file
from render_core.errors import InputError
from render_core.jobs import JobContext

NAME = "transfer"
HELP = "motion transfer: the project's target person performs a driving clip's dance (body model)"


def add_arguments(p) -> None:
    add_driven_export_arguments(p, "the dance video to transfer")
    p.add_argument("--model", help="body model id of the project (default: the newest body model)")


def body_model(project, wanted: str | None):
    """The ModelRef to render with: `wanted`, else the body model whose checkpoint is newest."""
    from render_core.project.driven import newest_model

    model = newest_model(project, "body", wanted)
    if model is None:
        raise InputError(project.folder, "the project has no body model: run `train body --project P` first")
    return model


def transfer_layer(project, driving_id: str, length: int):
    """The project with one transfer_body layer for `driving_id` over [0, length) at strength 1
    (replacing an earlier transfer layer of the same driving clip), and that layer."""
    from render_core.edits.params import TransferBodyParams
    from render_core.project.driven import driven_layer, with_driven_layer

    settings = {"driving_clip": driving_id}
    params = TransferBodyParams(strength=1.0)
    layer = driven_layer("transfer_body", 0, length - 1, params, settings, f"transfer {driving_id}")
    return with_driven_layer(project, layer), layer


def run(args, ctx: JobContext) -> dict:
    from render_core.project.driven import add_clip
    from render_core.project.io import load_project, save_project
    from render_core.render.export_checks import check_driving_subject, check_export, check_output
    from render_core.render.pipeline import RenderConfig, render_clip
    from render_core.render.sources import track_for_render

    project = load_project(args.project)
    check_output(project, args.output, args.format)  # before any work, not after it
    model = body_model(project, args.model)
    project, ref = add_clip(project, existing_file(args.driving), driving=True)
    if ref.id == project.target_clip:
        raise InputError(args.driving, "the driving clip is the project's target clip")
    cfg = RenderConfig(
        format=args.format,
        output=str(args.output),
        frames=args.frames or (0, None),
        renderer=model.id,
        height=args.height,
        crf=args.crf,
        preset=args.preset,
        audio=args.audio != "none",
        audio_clip=project.target_clip if args.audio == "target" else ref.id,
        timebase=ref.id,
        device=args.device,
    )
    check_export(project, cfg)
    drv = track_for_render(project.clip_path(ref.id), project.folder, ctx.sub(0.0, 0.1))
    check_driving_subject("transfer_body", drv, args.driving)  # before the layer is saved
    project, layer = transfer_layer(project, ref.id, ref.info.frame_count)  # the dance's timebase
    project = save_project(project, project.folder)
    summary = render_clip(project, cfg, ctx.sub(0.1, 1.0))
    return {**summary, "model": model.id, "driving_clip": ref.id, "layer": layer.id, "audio": args.audio}
