"""`main.py demo`: the headless main job. Track the sample clip and write an MP4 with the face
mesh and skeleton drawn over it, with the original audio."""

from __future__ import annotations

from pathlib import Path

from render_core.errors import InputError
from render_core.jobs import JobContext

NAME = "demo"
HELP = "track the sample clip (or CLIP) and write an MP4 with face mesh and skeleton overlays"


def add_arguments(p) -> None:
    p.add_argument("clip", nargs="?", help="video file (default: the bundled sample clip)")
    p.add_argument("-o", "--output", help="output MP4 (default: out/<clip>-tracked.mp4)")


def overlay_video(clip: Path, tracks, output: Path, ctx: JobContext) -> int:
    """Stream the clip, draw its tracks on each frame, encode with the clip's audio."""
    from render_core.media.decode import VideoReader
    from render_core.media.encode import VideoWriter
    from render_core.render.overlay import draw_face, draw_skeleton

    with VideoReader(clip) as reader:
        info = reader.info
        total = len(reader)
        with VideoWriter(
            output,
            info.fps,
            info.width,
            info.height,
            crf=20,
            preset="veryfast",
            audio_source=str(clip),
            metadata={"comment": "tracking overlay"},
            colour=reader.colour,
        ) as writer:
            for t, frame in reader.frames():
                if tracks.face is not None and t < len(tracks.face) and tracks.face.valid[t]:
                    frame = draw_face(frame, tracks.face.landmarks[t], tracks.face.iris[t])
                if tracks.body is not None and t < len(tracks.body) and tracks.body.valid[t]:
                    frame = draw_skeleton(frame, tracks.body.joints[t])
                writer.write(frame)
                ctx.step(t + 1, total, "drawing overlays")
    return total


def run(args, ctx: JobContext) -> dict:
    from render_core.samples import sample_clip
    from render_core.tracking.track_clip import TrackConfig, track_clip

    clip = Path(args.clip) if args.clip else sample_clip()
    if clip is None:
        raise InputError(None, "no sample clip found: pass a video file (main.py demo CLIP)")
    if not clip.exists():
        raise InputError(clip, "no such file")
    output = Path(args.output) if args.output else Path("out") / f"{clip.stem}-tracked.mp4"
    result = track_clip(TrackConfig(clip=str(clip)), ctx.sub(0.0, 0.7))
    frames = overlay_video(clip, result.tracks, output, ctx.sub(0.7, 1.0))
    s = result.summary
    return {
        "output": str(output.resolve()),
        "clip": str(clip),
        "frames": frames,
        "face_valid": s.get("face_valid"),
        "body_valid": s.get("body_valid"),
        "tracking_fps": s.get("fps"),
        "tracks": str(result.path),
    }
