"""`main.py capture SOURCE --project P`: read an image set's cameras (LLFF poses_bounds.npy or
NeRF transforms.json) into a project, for the novel-view family to train on."""

from __future__ import annotations

from pathlib import Path

from render_core.jobs import JobContext

NAME = "capture"
HELP = "read an image set with cameras (LLFF poses_bounds.npy, NeRF transforms.json) into a project"


def add_arguments(p) -> None:
    p.add_argument("source", help="LLFF folder, NeRF transforms.json or its folder")
    p.add_argument("--project", help="project folder (default: <source name>.rfproj beside it)")
    p.add_argument("--name", help="capture name inside the project (default: the source's name)")


def run(args, ctx: JobContext) -> dict:
    from render_core.io_atomic import check_writable
    from render_core.project.capture import CAPTURE_FILE, read_capture, save_capture

    src = Path(args.source)
    base = src.parent if src.is_file() else src
    folder = Path(args.project) if args.project else base.with_name(base.name + ".rfproj")
    out = folder / "captures" / (args.name or base.name) / CAPTURE_FILE
    check_writable(out)
    capture = read_capture(src, ctx.sub(0.0, 0.95))
    ctx.step(1, 1, "writing")
    save_capture(capture, out)
    return {
        "capture": str(out),
        "views": len(capture),
        "size": list(capture.size),
        "masks": capture.masks is not None,
        "box_center": [round(float(v), 4) for v in capture.center],
        "box_radius": round(capture.radius, 4),
    }
