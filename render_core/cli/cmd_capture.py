"""`main.py capture SOURCE --project P`: read an image set's cameras (LLFF poses_bounds.npy or
NeRF transforms.json) into a project, or recover a walk-around video's cameras (structure from
motion), for the novel-view family to train on."""

from __future__ import annotations

from pathlib import Path

from render_core.jobs import JobContext

NAME = "capture"
HELP = (
    "read an image set with cameras (LLFF poses_bounds.npy, NeRF transforms.json) into a project,"
    " or recover the cameras of a walk-around video"
)


def add_arguments(p) -> None:
    p.add_argument("source", help="LLFF folder, NeRF transforms.json or its folder, or a video file")
    p.add_argument("--project", help="project folder (default: <source name>.rfproj beside it)")
    p.add_argument("--name", help="capture name inside the project (default: the source's name)")


def _box(capture) -> dict:
    return {
        "views": len(capture),
        "size": list(capture.size),
        "masks": capture.masks is not None,
        "box_center": [round(float(v), 4) for v in capture.center],
        "box_radius": round(capture.radius, 4),
    }


def _video(src: Path, out: Path, ctx: JobContext) -> dict:
    from render_core.project.video_capture import capture_video

    result = capture_video(src, out, ctx)
    k = result.capture.intrinsics[0]
    summary = {
        "capture": str(out),
        "frames": result.sampled,
        "registered": round(result.registered, 3),
        "focal_px": round(float(k[0, 0]), 1),
        "reprojection_error_px": round(result.reprojection_error, 3),
        **_box(result.capture),
    }
    return {**summary, "warnings": list(result.warnings)} if result.warnings else summary


def run(args, ctx: JobContext) -> dict:
    from render_core.io_atomic import check_writable
    from render_core.project.capture import CAPTURE_FILE, read_capture, save_capture
    from render_core.project.video_capture import is_video_source

    src = Path(args.source)
    video = is_video_source(src)
    base = src.with_suffix("") if video else src.parent if src.is_file() else src
    folder = Path(args.project) if args.project else base.with_name(base.name + ".rfproj")
    out = folder / "captures" / (args.name or base.name) / CAPTURE_FILE
    check_writable(out)
    if video:
        return _video(src, out, ctx)
    capture = read_capture(src, ctx.sub(0.0, 0.95))
    ctx.step(1, 1, "writing")
    save_capture(capture, out)
    return {"capture": str(out), **_box(capture)}
