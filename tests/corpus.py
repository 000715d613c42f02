"""Synthesize the bad-input corpus (and small good clips) into a scratch dir for tests.

Every generator writes one file and returns its path. Clips are made with the ffmpeg binary
bundled by imageio-ffmpeg (argument lists, never a shell) so no system ffmpeg is needed.
Conventions: `size=(width, height)` in pixels, `fps` frames per second, rotation in degrees
clockwise (what a viewer must apply), matching `ClipInfo.rotation`.
"""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

AUDIO_RATE = 44100


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in the imageio-ffmpeg wheel."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(*args: str) -> None:
    """Run the bundled ffmpeg quietly; raise with its stderr when it fails."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")


def make_clip(
    path: str | Path,
    frames: int = 30,
    size: tuple[int, int] = (160, 120),
    fps: int = 30,
    audio: bool = True,
    audio_seconds: float | None = None,
    faststart: bool = True,
    gop: int = 10,
    pattern: str = "testsrc2",
) -> Path:
    """A moving test pattern (every frame differs) with an optional 440 Hz AAC track.

    `pattern`: "testsrc2" (sharp edges, text: hard to compress) or "gradients" (smooth, like
    real footage in how well it compresses: use it for encode-quality checks).

    `audio_seconds` defaults to the video's duration; make it longer to test audio trimming.
    `faststart` puts the index (moov) first, as phones and web uploads do; without it the
    index sits at the end and a truncated file loses it entirely. `gop` keyframe interval,
    small so seeks are exercised on short clips. B-frames are on (x264 default).
    """
    path = Path(path)
    w, h = size
    extra = ":speed=0.05" if pattern == "gradients" else ""
    args = ["-f", "lavfi", "-i", f"{pattern}=size={w}x{h}:rate={fps}:duration={frames / fps}{extra}"]
    if audio:
        secs = audio_seconds if audio_seconds is not None else frames / fps
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={AUDIO_RATE}:duration={secs}"]
        args += ["-c:a", "aac", "-b:a", "64k"]
    args += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
    args += ["-g", str(gop), "-keyint_min", str(gop)]
    if faststart:
        args += ["-movflags", "+faststart"]
    run_ffmpeg(*args, str(path))
    return path


def make_no_audio(path: str | Path, frames: int = 30, size: tuple[int, int] = (160, 120)) -> Path:
    """A valid clip without any audio stream."""
    return make_clip(path, frames=frames, size=size, audio=False)


def make_audio_only(path: str | Path, seconds: float = 0.5) -> Path:
    """An .mp4 holding only an AAC track: a container without any video stream."""
    path = Path(path)
    run_ffmpeg("-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", str(path))
    return path


def make_text_as_mp4(path: str | Path) -> Path:
    """A plain text file wearing an .mp4 name."""
    path = Path(path)
    path.write_text("this is not a video, just text pretending to be one\n" * 20)
    return path


def make_truncated(src: str | Path, dst: str | Path, fraction: float) -> Path:
    """The first `fraction` of `src`'s bytes, as an interrupted download or copy leaves it."""
    data = Path(src).read_bytes()
    dst = Path(dst)
    dst.write_bytes(data[: max(1, int(len(data) * fraction))])
    return dst


def make_zero_frame(path: str | Path, size: tuple[int, int] = (160, 120)) -> Path:
    """A file with an H.264 video stream that holds no frames (plus a short audio track).

    MP4 muxers drop empty tracks, so this is Matroska content (under whatever name `path`
    has): the video track is declared in the header and never receives a packet.
    """
    path = Path(path)
    template = path.with_name(path.stem + "-template.mp4")
    make_clip(template, frames=2, size=size, audio=True)
    with av.open(str(template)) as src, av.open(str(path), "w", format="matroska") as out:
        out.add_stream_from_template(src.streams.video[0])
        audio_out = out.add_stream_from_template(src.streams.audio[0])
        for packet in src.demux(src.streams.audio[0]):
            if packet.dts is not None:
                packet.stream = audio_out
                out.mux(packet)
    template.unlink()
    return path


def make_rotated(src: str | Path, dst: str | Path, degrees: int = 90) -> Path:
    """Copy `src` (no re-encode) with a display matrix asking viewers to rotate `degrees` clockwise.

    ffmpeg's `-display_rotation` is counter-clockwise, hence the sign flip.
    """
    dst = Path(dst)
    run_ffmpeg("-display_rotation", str(-degrees), "-i", str(src), "-c", "copy", str(dst))
    return dst


def vfr_durations(frames: int) -> list[int]:
    """Irregular per-frame durations in 1/1000 s ticks (33, 50, 17, 67, ... ms), deterministic."""
    pattern = [33, 50, 17, 67, 25, 40, 83, 20]
    return [pattern[i % len(pattern)] for i in range(frames)]


def make_vfr(path: str | Path, frames: int = 40, size: tuple[int, int] = (160, 120), gop: int = 8) -> Path:
    """A genuinely variable-frame-rate H.264 clip: frames carry irregular pts (1 ms time base).

    Each frame shows its index as a distinct pattern, so a wrong seek is visible in pixels.
    """
    path = Path(path)
    w, h = size
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream("libx264", rate=30, options={"g": str(gop), "preset": "veryfast"})
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        pts = 0
        for i, dur in enumerate(vfr_durations(frames)):
            frame = av.VideoFrame.from_ndarray(pattern_frame(i, w, h), format="rgb24")
            frame.pts, frame.time_base = pts, Fraction(1, 1000)
            pts += dur
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def pattern_frame(i: int, w: int, h: int) -> np.ndarray:
    """A smooth gradient that shifts with `i` plus a bar at a position coding `i`: (h, w, 3) uint8."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.empty((h, w, 3), np.uint8)
    img[..., 0] = (xx * 255 // max(1, w - 1) + 7 * i) % 256
    img[..., 1] = (yy * 255 // max(1, h - 1) + 3 * i) % 256
    img[..., 2] = 128
    bar = (i * 9) % max(1, w - 8)
    img[:, bar : bar + 8] = 255
    return img


def make_still(path: str | Path, size: tuple[int, int] = (160, 120)) -> Path:
    """One test-pattern picture as an image file; the format follows the suffix (.jpg, .png).

    At 160x120 and above a JPEG still is one packet the image demuxer cannot seek back to,
    which is what a reader must survive.
    """
    path = Path(path)
    w, h = size
    run_ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate=1:duration=1", "-frames:v", "1", str(path))
    return path


def make_two_faces(
    src: str | Path,
    dst: str | Path,
    frames: int = 10,
    large_left: bool = True,
    scale: float = 0.7,
    noisy_large: bool = False,
) -> Path:
    """`src`'s first frames twice on one 308x144 grey canvas: at its own size (176x144) on one
    side, at `scale` on the other (`large_left`: the large one on the left), so a clip shows two
    faces of clearly different sizes side by side. At 0.7 MediaPipe detects both; at 0.4 only
    the large one. `noisy_large`: grain on the large copy, which makes the small face the one
    MediaPipe is surest of (what it returns first)."""
    dst = Path(dst)
    big, small = ("0:0", "184:10") if large_left else ("132:0", "0:10")
    grain = ",noise=alls=40:allf=t" if noisy_large else ""
    graph = (
        f"[0:v]split[a0][b];[b]scale=iw*{scale}:-2[small];[a0]null{grain}[a];"
        f"color=gray:s=308x144:d=10[bg];[bg][a]overlay={big}:shortest=1[l];[l][small]overlay={small}"
    )
    run_ffmpeg(
        "-i", str(src), "-filter_complex", graph, "-frames:v", str(frames), "-an",
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(dst),
    )  # fmt: skip
    return dst
