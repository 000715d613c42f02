"""Tracking benchmark: decode fps, face fps, face+body fps, detection rate, peak memory.

Targets (2-core machine): decode >= 150 fps at 720p; face >= 25 fps at 480p; face + body
>= 15 fps at 480p; detection >= 99% on every shared clip; peak memory of a clip twice as long
within +10%. Each measurement runs in its own process (clean peak memory, no cache).
"""

from __future__ import annotations

import tempfile
import time

from bench.common import matmul_gflops, print_table, run_isolated
from render_core.samples import carphone_clip, footage_dir


def measure_decode(clip: str, stop: int | None = None) -> dict:
    from render_core.media.decode import VideoReader

    with VideoReader(clip) as r:
        n = 0
        t = time.perf_counter()
        for _ in r.frames(0, stop):
            n += 1
        dt = time.perf_counter() - t
        return {"frames": n, "decode_fps": n / dt, "size": f"{r.info.width}x{r.info.height}"}


def measure_tracking(clip: str, face: bool, body: bool, stop: int | None = None) -> dict:
    from render_core.jobs import null_context
    from render_core.tracking.track_clip import TrackConfig, track_clip

    with tempfile.TemporaryDirectory() as project:
        cfg = TrackConfig(clip=clip, project_dir=project, face=face, body=body, max_frames=stop)
        t = time.perf_counter()
        res = track_clip(cfg, null_context())
        dt = time.perf_counter() - t
    s = res.summary
    n = s["frames"]
    return {
        "frames": n,
        "fps": n / dt,
        "face_rate": s["face_valid"] / n if face else None,
        "body_rate": s["body_valid"] / n if body else None,
    }


def clips() -> list:
    d = footage_dir()
    shared = sorted(d.glob("[AB]_*.mp4")) if d.exists() else []
    return shared or [c for c in [carphone_clip()] if c]


def _isolated(func: str, clip, **kw) -> dict:
    return run_isolated("bench.tracking", func, {"clip": str(clip), **kw})


def bench_clip(clip) -> dict:
    """One table row: decode, face-only (talking heads), face+body, detection, peak memory."""
    dec = _isolated("measure_decode", clip)
    talking_head = not clip.name.startswith("B_")
    face = _isolated("measure_tracking", clip, face=True, body=False) if talking_head else None
    both = _isolated("measure_tracking", clip, face=True, body=True)
    return {
        "clip": clip.name,
        "size": dec["size"],
        "frames": dec["frames"],
        "decode_fps": dec["decode_fps"],
        "face_fps": face["fps"] if face else None,
        "face+body_fps": both["fps"],
        "face_det%": 100 * (face or both)["face_rate"],
        "body_det%": 100 * both["body_rate"],
        "peak_mb": both["peak_rss_mb"],
    }


def memory_ratio(clip, frames: int) -> dict:
    """Peak memory tracking all of a clip vs its first half: flat memory gives ~1.0."""
    half = _isolated("measure_tracking", clip, face=True, body=True, stop=frames // 2)
    full = _isolated("measure_tracking", clip, face=True, body=True)
    return {
        "clip": clip.name,
        "half_mb": half["peak_rss_mb"],
        "full_mb": full["peak_rss_mb"],
        "ratio": full["peak_rss_mb"] / half["peak_rss_mb"],
    }


def run(args=None, ctx=None) -> dict:
    gflops = matmul_gflops()
    print(f"machine fp32 matmul: {gflops:.1f} GFLOP/s")
    todo = clips()
    rows = []
    for i, clip in enumerate(todo):
        if ctx is not None:
            ctx.step(i, len(todo), clip.name)
        rows.append(bench_clip(clip))
    print_table(rows, list(rows[0].keys()))
    longest = max(rows, key=lambda r: r["frames"])
    mem = memory_ratio(next(c for c in todo if c.name == longest["clip"]), longest["frames"])
    print(
        f"memory: {mem['clip']} half {mem['half_mb']:.0f} MiB, full {mem['full_mb']:.0f} MiB "
        f"(x{mem['ratio']:.3f}; target <= 1.10)"
    )
    return {"matmul_gflops": gflops, "clips": rows, "memory": mem}


if __name__ == "__main__":
    run()
