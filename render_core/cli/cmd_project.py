"""`main.py project new CLIP` / `project show P` / `project add-clip P CLIP --driving`."""

from __future__ import annotations

from pathlib import Path

from render_core.cli.args import existing_file
from render_core.jobs import JobContext

NAME = "project"
HELP = "create a project from a clip, show one, or add a driving clip to it"


def add_arguments(p) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = sub.add_parser("new", help="create PROJECT.rfproj with CLIP as its target")
    new.add_argument("clip")
    new.add_argument("-o", "--output", help="project folder (default: <clip name>.rfproj beside the clip)")
    show = sub.add_parser("show", help="print the project's clips, models and edit layers")
    show.add_argument("project")
    add = sub.add_parser("add-clip", help="add a clip (a driving clip with --driving)")
    add.add_argument("project")
    add.add_argument("clip")
    add.add_argument("--driving", action="store_true", help="a driving clip for reenact/transfer layers")
    for sp in (new, show, add):
        sp.add_argument("--json", action="store_true", help="print one JSON summary as the last line")
        sp.add_argument("--quiet", action="store_true")
        sp.add_argument("--debug", action="store_true")


def describe(project) -> dict:
    return {
        "project": str(project.folder),
        "name": project.name,
        "target_clip": project.target_clip,
        "clips": {c.id: c.path for c in project.clips},
        "driving_clips": list(project.driving_clips),
        "models": {m.id: f"{m.family} ({m.preset})" for m in project.models},
        "renderer": project.renderer,
        "layers": [
            {
                "id": ly.id,
                "kind": ly.kind,
                "name": ly.name,
                "range": [ly.start, ly.end],
                "keyframes": sorted(ly.keyframes),
                "enabled": ly.enabled,
            }
            for ly in project.timeline.layers
        ],
    }


def run(args, ctx: JobContext) -> dict:
    from render_core.project.driven import add_clip
    from render_core.project.io import load_project, new_project, save_project

    if args.action == "new":
        clip = existing_file(args.clip)
        folder = Path(args.output) if args.output else clip.with_suffix(".rfproj")
        return describe(new_project(folder, clip))
    project = load_project(args.project)
    if args.action == "add-clip":
        project, ref = add_clip(project, existing_file(args.clip), args.driving)
        project = save_project(project, project.folder)
        return {"clip_id": ref.id, **describe(project)}
    return describe(project)
