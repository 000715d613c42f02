"""Render benchmark: warp-renderer ms/frame for a 480p face edit, end-to-end export fps versus
plain decode+encode fps (their ratio is the edit overhead), and peak memory versus clip length.
Also the same export through a portrait model (cpu-preview; a 1-step model: speed does not
depend on the weights), one frame per generator pass and at the renderer's export batch.

Target (2-core machine): a face expression edit exports at >= 0.5x real time for a 30 fps
480p clip (>= 15 frames/s); memory flat in clip length.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.common import matmul_gflops, run_isolated
from render_core.families.portrait.renderer import BATCH_SIZE as PORTRAIT_BATCH
from render_core.samples import footage_dir, sample_clip


def _project_with_edit(clip: str, folder: Path, start: int, end: int):
    from render_core.edits.layer import EditLayer
    from render_core.edits.params import ExpressionParams
    from render_core.edits.timeline import EditTimeline
    from render_core.project.io import new_project

    project = new_project(folder / "bench", clip)
    layer = EditLayer("expression", start, end, {start: ExpressionParams(jaw_open=0.8, smile=0.5)})
    return project.with_timeline(EditTimeline().add_layer(layer))


def measure_transcode(clip: str, stop: int | None = None) -> dict:
    """Decode + encode with no edit (the floor the export is compared to)."""
    from render_core.media.decode import VideoReader
    from render_core.media.encode import VideoWriter

    with tempfile.TemporaryDirectory() as d, VideoReader(clip) as r:
        info, n, t = r.info, 0, time.perf_counter()
        with VideoWriter(Path(d) / "o.mp4", info.fps, info.width, info.height, preset="medium") as w:
            for _, f in r.frames(0, stop):
                w.write(f)
                n += 1
        return {"frames": n, "fps": n / (time.perf_counter() - t)}


def measure_export(clip: str, stop: int | None = None) -> dict:
    """Track (cached before timing), then export with an expression edit on every frame."""
    from render_core.jobs import null_context
    from render_core.render.pipeline import RenderConfig, render_clip
    from render_core.render.sources import load_sources

    with tempfile.TemporaryDirectory() as d:
        project = _project_with_edit(clip, Path(d), 0, 10**6)
        load_sources(project, null_context())  # tracking is the tracking benchmark's business
        cfg = RenderConfig(str(Path(d) / "o.mp4"), frames=(0, stop), preset="medium", use_cache=False)
        s = render_clip(project, cfg, null_context())
    return {"frames": s["frames"], "fps": s["fps"], "edited": s["edited"]}


def measure_portrait_export(clip: str, batch: int) -> dict:
    """Export with an expression edit on every frame through a portrait model, `batch` frames
    per generator pass (the renderer's `batch_size`)."""
    from dataclasses import replace

    from render_core.families.portrait.renderer import PortraitRenderer
    from render_core.families.train import train_model
    from render_core.jobs import null_context
    from render_core.project.document import ModelRef
    from render_core.render.pipeline import RenderConfig, render_clip
    from render_core.render.sources import load_sources
    from render_core.training.trainer import TrainConfig

    PortraitRenderer.batch_size = batch
    with tempfile.TemporaryDirectory() as d:
        project = _project_with_edit(clip, Path(d), 0, 10**6)
        folder = Path(project.folder)
        load_sources(project, null_context())
        cfg = TrainConfig("portrait", [Path(clip)], folder / "models" / "m", project_dir=folder, steps=1)
        train_model(replace(cfg, tensorboard=False), null_context())
        project = replace(project.with_model(ModelRef("m", "portrait", "models/m")), renderer="m")
        out = RenderConfig(str(Path(d) / "o.mp4"), preset="medium", use_cache=False)
        s = render_clip(project, out, null_context())
    return {"frames": s["frames"], "fps": s["fps"], "batch": batch}


def measure_warp_ms(clip: str, frames: int = 30) -> dict:
    """The warp renderer alone on resolved edits (no decode/encode), ms per frame."""
    from render_core.contract import FrameRequest
    from render_core.jobs import null_context
    from render_core.media.decode import VideoReader
    from render_core.media.frames import to_float
    from render_core.render.frame_edits import resolve_frame
    from render_core.render.sources import load_sources
    from render_core.render.warp_renderer import WarpRenderer

    with tempfile.TemporaryDirectory() as d:
        project = _project_with_edit(clip, Path(d), 0, 10**6)
        sources = load_sources(project, null_context())
    renderer, times = WarpRenderer(), []
    with VideoReader(clip) as r:
        for t, f in r.frames(0, frames):
            e = resolve_frame(sources, project.timeline, t)
            req = FrameRequest(t, to_float(f), e.face, e.face_edit)
            t0 = time.perf_counter()
            renderer.render(req)
            times.append(1000 * (time.perf_counter() - t0))
    times.sort()
    return {"warp_ms_median": times[len(times) // 2], "warp_ms_p90": times[int(0.9 * len(times))]}


def run(args=None, ctx=None) -> dict:
    clip = footage_dir() / "A_liveportrait_d18.mp4"
    clip = str(clip if clip.exists() else sample_clip())
    print(f"machine fp32 matmul: {matmul_gflops():.1f} GFLOP/s; clip {Path(clip).name}")
    steps = [
        ("warp", "measure_warp_ms", {}),
        ("transcode", "measure_transcode", {}),
        ("export", "measure_export", {}),
        ("export_half", "measure_export", {"stop": 108}),
        ("portrait_export_1", "measure_portrait_export", {"batch": 1}),
        ("portrait_export", "measure_portrait_export", {"batch": PORTRAIT_BATCH}),
    ]
    res = {}
    for i, (name, func, kw) in enumerate(steps):
        if ctx is not None:
            ctx.step(i, len(steps), name)
        res[name] = run_isolated("bench.render", func, {"clip": clip, **kw})
    w, tr, ex, half = res["warp"], res["transcode"], res["export"], res["export_half"]
    print(
        f"warp renderer, 480p face edit: {w['warp_ms_median']:.1f} ms/frame median "
        f"(p90 {w['warp_ms_p90']:.1f})"
    )
    print(
        f"decode+encode only: {tr['fps']:.1f} fps; export with edit: {ex['fps']:.1f} fps "
        f"(x{ex['fps'] / tr['fps']:.2f} of transcode; {ex['fps'] / 30:.2f}x real time at 30 fps; "
        "target >= 0.5x)"
    )
    print(
        f"peak memory: {half['frames']} frames {half['peak_rss_mb']:.0f} MiB, {ex['frames']} frames "
        f"{ex['peak_rss_mb']:.0f} MiB (x{ex['peak_rss_mb'] / half['peak_rss_mb']:.3f})"
    )
    for key in ("portrait_export_1", "portrait_export"):
        p = res[key]
        print(f"export through a portrait model, {p['batch']} frame(s) per pass: {p['fps']:.1f} fps")
    return res


if __name__ == "__main__":
    run()
