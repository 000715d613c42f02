"""`main.py track CLIP`: track face and body, write the tracks cache, print a summary."""

from __future__ import annotations

from render_core.cli.args import existing_file, frame_range, non_negative_int
from render_core.jobs import JobContext

NAME = "track"
HELP = "track a clip's face (478 landmarks, iris, head pose) and body (33 joints, mask); cache the tracks"


def add_arguments(p) -> None:
    p.add_argument("clip", help="video file")
    p.add_argument("--project", help="project folder (tracks go to <project>/cache/tracks)")
    p.add_argument("--no-face", action="store_true", help="skip face tracking")
    p.add_argument("--no-body", action="store_true", help="skip body tracking")
    p.add_argument(
        "--face",
        type=non_negative_int,
        default=0,
        help="which face to follow by size: 0 = largest, 1 = next...",
    )
    p.add_argument("--frames", type=frame_range, help="only frames A:B (for quick checks)")


def run(args, ctx: JobContext) -> dict:
    from render_core.tracking.track_clip import TrackConfig, track_clip

    clip = existing_file(args.clip)
    # no --frames: the default (whole clip) settings, so the cache is shared with render/studio
    frames = None
    if args.frames is not None:
        start, stop = args.frames
        frames = (start, stop if stop is not None else 2**31 - 1)
    cfg = TrackConfig(
        clip=str(clip),
        project_dir=args.project,
        face=not args.no_face,
        body=not args.no_body,
        face_index=args.face,
        max_faces=max(1, args.face + 1),
        frame_range=frames,
    )
    result = track_clip(cfg, ctx)
    return {**result.summary, "cached": result.cached, "path": str(result.path)}
