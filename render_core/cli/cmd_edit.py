"""`main.py edit PROJECT KIND --at F --set name=value ...`: add or update a keyframe.

The edit goes to the layer named by `--layer` (id or name), else the last layer of that kind,
else a new layer over `--range` (default: the whole clip). Values are validated against the
params' bounds (the same field metadata the studio's sliders use).
"""

from __future__ import annotations

from render_core.cli.args import frame_range
from render_core.errors import InputError
from render_core.jobs import JobContext

NAME = "edit"
HELP = "set a keyframe of an edit layer (expression, head_pose, gaze, body_pose, reenact_face, ...)"


def add_arguments(p) -> None:
    from render_core.edits.params import PARAMS

    p.add_argument("project")
    p.add_argument("kind", choices=sorted(PARAMS))
    p.add_argument("--at", type=int, required=True, help="keyframe frame index")
    p.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help="params, e.g. jaw_open=0.8")
    p.add_argument("--layer", help="layer id or name (default: last layer of this kind, or a new one)")
    p.add_argument("--new-layer", action="store_true", help="always add a new layer")
    p.add_argument("--range", type=frame_range, help="frame range A:B of a new layer (default: whole clip)")
    p.add_argument("--interp", choices=["hold", "linear", "smooth"], help="interpolation of the layer")
    p.add_argument("--driving", help="driving clip id or file (reenact_face / transfer_body layers)")
    p.add_argument("--channels", help="reenact channels, comma separated: expression,head_pose,gaze")
    p.add_argument(
        "--neutral",
        type=int,
        nargs=2,
        metavar=("TARGET", "DRIVING"),
        help="neutral frames of target and driving clip (reenact_face)",
    )


def parse_assignments(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InputError(None, f"--set {item!r} must look like name=value")
        out[name.strip()] = value.strip()
    return out


def find_layer(timeline, kind: str, wanted: str | None):
    if wanted:
        for ly in timeline.layers:
            if wanted in (ly.id, ly.name):
                return ly
        raise InputError(None, f"no layer {wanted!r} in the project")
    layers = [ly for ly in timeline.layers if ly.kind == kind]
    return layers[-1] if layers else None


def layer_settings(project, args, kind: str) -> dict:
    from render_core.cli.cmd_project import add_clip

    if kind not in ("reenact_face", "transfer_body"):
        return {}
    if not args.driving:
        raise InputError(None, f"a {kind} layer needs --driving CLIP")
    ids = {c.id for c in project.clips}
    clip_id = args.driving if args.driving in ids else None
    if clip_id is None:
        from render_core.cli.args import existing_file

        project, ref = add_clip(project, existing_file(args.driving), driving=True)
        clip_id = ref.id
    settings: dict = {"driving_clip": clip_id}
    if kind == "reenact_face":
        if args.channels:
            settings["channels"] = [c.strip() for c in args.channels.split(",")]
        if args.neutral:
            settings["target_neutral_frame"], settings["driving_neutral_frame"] = args.neutral
    return {"project": project, "settings": settings}


def run(args, ctx: JobContext) -> dict:
    from render_core.edits.layer import EditLayer
    from render_core.edits.params import PARAMS, validate
    from render_core.project.io import load_project, save_project

    project = load_project(args.project)
    kind, cls = args.kind, PARAMS[args.kind]
    n = project.target().info.frame_count if project.target().info else 10**9
    if not 0 <= args.at < n:
        raise InputError(None, f"--at {args.at} is outside the clip (0..{n - 1})")
    extra = layer_settings(project, args, kind)
    project = extra.get("project", project)
    layer = None if args.new_layer else find_layer(project.timeline, kind, args.layer)
    base = layer.value_at(args.at) if layer is not None and layer.covers(args.at) else None
    params = validate(cls, parse_assignments(args.set), base=base)
    if layer is None:
        start, stop = args.range or (0, n)
        layer = EditLayer(
            kind,
            start,
            min(stop or n, n) - 1,
            settings=extra.get("settings", {}),
            **({"interpolation": args.interp} if args.interp else {}),
        )
        timeline = project.timeline.add_layer(layer)
    else:
        changes = {"interpolation": args.interp} if args.interp else {}
        if extra.get("settings"):
            changes["settings"] = extra["settings"]
        timeline = project.timeline.update_layer(layer.id, **changes) if changes else project.timeline
    timeline = timeline.set_keyframe(layer.id, args.at, params)
    project = save_project(project.with_timeline(timeline), project.folder)
    from render_core.edits.params import to_json

    return {
        "layer": layer.id,
        "kind": kind,
        "frame": args.at,
        "params": to_json(params),
        "project": str(project.folder),
    }
