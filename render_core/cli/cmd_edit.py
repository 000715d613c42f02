"""`main.py edit PROJECT KIND --at F --set name=value ...`: add or update a keyframe.

The edit goes to the layer named by `--layer` (id or name), else the last layer of that kind,
else a new layer over `--range` (default: the whole clip). Values are validated against the
params' bounds (the same field metadata the studio's sliders use). An image-set project (a
capture, no clip) takes viewpoint keys on the frames of its camera path, saved in its own
`project.json` as the studio saves them.
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


def driving_clip_id(project, args, kind: str, layer):
    """(project, clip id) of the layer's driving clip: `--driving` (a clip id or a file, added
    to the project), else the one the layer being edited already has."""
    from render_core.cli.args import existing_file
    from render_core.project.driven import add_clip

    if args.driving:
        if args.driving in {c.id for c in project.clips}:
            return project, args.driving
        project, ref = add_clip(project, existing_file(args.driving), driving=True)
        return project, ref.id
    if layer is not None and layer.settings.get("driving_clip"):
        return project, str(layer.settings["driving_clip"])
    raise InputError(None, f"a {kind} layer needs --driving CLIP")


def layer_settings(project, args, kind: str, layer) -> tuple[object, dict]:
    """(project, settings) of a driven layer: the edited layer's settings with what was given
    on top (re-editing only `--neutral` keeps its channels), checked like the studio's
    inspector: known channels, neutral frames inside their clips."""
    from render_core.edits.settings import ReenactSettings

    if kind not in ("reenact_face", "transfer_body"):
        return project, {}
    project, clip_id = driving_clip_id(project, args, kind, layer)
    settings = dict(layer.settings) if layer is not None else {}
    settings["driving_clip"] = clip_id
    if kind != "reenact_face":
        return project, settings
    if args.channels:
        settings["channels"] = [c.strip() for c in args.channels.split(",")]
    if args.neutral:
        for frame, clip in zip(args.neutral, (project.target_clip, clip_id), strict=True):
            n = frame_count(project, clip)
            if not 0 <= frame < n:
                raise InputError(
                    project.clip_path(clip), f"--neutral frame {frame} is outside the clip (0..{n - 1})"
                )
        settings["target_neutral_frame"], settings["driving_neutral_frame"] = args.neutral
    try:
        ReenactSettings.from_json(settings)  # unknown channels are refused here
    except InputError as e:
        raise InputError(args.project, e.problem) from None
    return project, settings


def frame_count(project, clip_id: str) -> int:
    from render_core.media.probe import probe

    ref = project.clip(clip_id)
    return (ref.info or probe(project.clip_path(clip_id))).frame_count


def open_project(path: str, kind: str):
    """(project, frame count): a clip project and its target clip's frames, or an image set's
    edit document and the frames of its camera path (viewpoint keys only: it has no clip)."""
    from render_core.project.io import load_image_set_document, load_project
    from render_core.render.camera_path import document_config, image_set_folder, plan_path

    folder = image_set_folder(path)
    if folder is None:
        project = load_project(path)
        return project, frame_count(project, project.target_clip)
    if kind != "viewpoint":
        raise InputError(path, f"an image set has no clip to take {kind} keys: only viewpoint keys")
    project = load_image_set_document(folder)
    return project, len(plan_path(folder, document_config(project)).cameras)


def run(args, ctx: JobContext) -> dict:
    from render_core.edits.layer import EditLayer
    from render_core.edits.params import PARAMS, to_json, validate
    from render_core.project.io import save_project

    project, n = open_project(args.project, args.kind)
    kind, cls = args.kind, PARAMS[args.kind]
    what = "the camera path" if project.camera_path is not None else "the clip"
    if not 0 <= args.at < n:
        raise InputError(args.project, f"--at {args.at} is outside {what} (0..{n - 1})")
    layer = None if args.new_layer else find_layer(project.timeline, kind, args.layer)
    if layer is not None and not layer.covers(args.at):
        name = layer.name or layer.id
        raise InputError(
            args.project,
            f"--at {args.at} is outside layer '{name}' (frames {layer.start}..{layer.end}); a keyframe "
            "there would never play: add one inside, or a new layer with --new-layer --range A:B",
        )
    project, settings = layer_settings(project, args, kind, layer)
    base = layer.value_at(args.at) if layer is not None else None
    params = validate(cls, parse_assignments(args.set), base=base)
    if layer is None:
        start, stop = args.range or (0, n)
        stop = min(stop or n, n)
        if not start <= args.at < stop:
            raise InputError(
                args.project, f"--at {args.at} is outside the new layer's --range {start}:{stop}"
            )
        layer = EditLayer(
            kind,
            start,
            stop - 1,
            settings=settings,
            **({"interpolation": args.interp} if args.interp else {}),
        )
        timeline = project.timeline.add_layer(layer)
    else:
        changes = {"interpolation": args.interp} if args.interp else {}
        if settings:
            changes["settings"] = settings
        timeline = project.timeline.update_layer(layer.id, **changes) if changes else project.timeline
    timeline = timeline.set_keyframe(layer.id, args.at, params)
    project = save_project(project.with_timeline(timeline), project.folder)
    return {
        "layer": layer.id,
        "kind": kind,
        "frame": args.at,
        "params": to_json(params),
        "project": str(project.folder),
    }
