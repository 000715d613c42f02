"""Content Credentials benchmark: export time of a 480p face edit with and without signing,
alternating runs on one tracked project (medians), and the signing step alone.

Target: signing adds < 5% to an export's time.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.render import _project_with_edit
from render_core.samples import footage_dir, sample_clip

FRAMES = 60
REPEATS = 3


def _export_seconds(project, out: Path, signed: bool) -> float:
    import render_core.render.pipeline as pipeline
    from render_core.jobs import null_context

    real = pipeline.sign_export
    pipeline.sign_export = real if signed else (lambda *args, **kwargs: False)
    try:
        cfg = pipeline.RenderConfig(str(out), frames=(0, FRAMES), preset="medium", use_cache=False)
        t = time.perf_counter()
        pipeline.render_clip(project, cfg, null_context())
        return time.perf_counter() - t
    finally:
        pipeline.sign_export = real


def _sign_seconds(project, path: Path) -> float:
    from render_core.provenance.credentials import load_credentials
    from render_core.provenance.export import export_record
    from render_core.provenance.manifest import build_manifest
    from render_core.provenance.signing import sign_video

    manifest, creds = build_manifest(export_record(project, "warp", (0, FRAMES), path)), load_credentials()
    t = time.perf_counter()
    sign_video(path, manifest, creds)
    return time.perf_counter() - t


def run(args=None, ctx=None) -> dict:
    from render_core.jobs import null_context
    from render_core.render.sources import load_sources

    clip = footage_dir() / "A_liveportrait_d18.mp4"
    clip = str(clip if clip.exists() else sample_clip())
    times: dict[str, list[float]] = {"signed": [], "unsigned": []}
    with tempfile.TemporaryDirectory() as d:
        project = _project_with_edit(clip, Path(d), 0, 10**6)
        load_sources(project, null_context())  # tracking is not what is measured
        _export_seconds(project, Path(d) / "warmup.mp4", True)  # first use makes the key
        for i in range(REPEATS):
            if ctx is not None:
                ctx.step(i, REPEATS, f"pair {i + 1}")
            for mode in ("signed", "unsigned") if i % 2 else ("unsigned", "signed"):
                times[mode].append(_export_seconds(project, Path(d) / f"{mode}.mp4", mode == "signed"))
        sign_s = _sign_seconds(project, Path(d) / "unsigned.mp4")
    signed, unsigned = statistics.median(times["signed"]), statistics.median(times["unsigned"])
    growth = 100 * (signed - unsigned) / unsigned
    print(
        f"{Path(clip).name}, {FRAMES} frames: export {unsigned:.2f} s unsigned, {signed:.2f} s signed "
        f"(median of {REPEATS}; {growth:+.1f}%, target < 5%); signing alone {1000 * sign_s:.0f} ms"
    )
    return {
        "export_unsigned_s": round(unsigned, 3),
        "export_signed_s": round(signed, 3),
        "growth_percent": round(growth, 2),
        "sign_ms": round(1000 * sign_s, 1),
        "runs": {k: [round(x, 3) for x in v] for k, v in times.items()},
    }
