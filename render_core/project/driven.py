"""Driven layers (reenact_face, transfer_body) and the project helpers around them, shared by
the CLI (`reenact`, `transfer`, `edit`, `project add-clip`) and the studio's inspector, so both
name clips, pick models and build layers the same way."""

from __future__ import annotations

from pathlib import Path

from render_core.edits.layer import EditLayer
from render_core.edits.settings import last_driven_frame
from render_core.errors import InputError
from render_core.media.clip_info import ClipInfo
from render_core.media.probe import probe
from render_core.project.document import ClipRef, ModelRef, Project


def clip_ref(project: Project, path: Path, info: ClipInfo) -> ClipRef:
    """The project's clip with `info`'s content, else a new reference with the next free id."""
    for c in project.clips:
        if c.content_hash == info.content_hash:
            return c
    taken = {c.id for c in project.clips}
    n = len(project.clips) + 1
    while f"clip{n}" in taken:
        n += 1
    return ClipRef(f"clip{n}", project.relative(path), info.content_hash, info)


def add_clip(
    project: Project, path: Path, driving: bool, info: ClipInfo | None = None
) -> tuple[Project, ClipRef]:
    """(project with the clip, its reference); `info` when the clip was probed already."""

    ref = clip_ref(project, path, info or probe(path))
    return project.with_clip(ref, driving=driving), ref


def _checkpoint_stamp(project: Project, m: ModelRef) -> float:
    folder = Path(m.path) if Path(m.path).is_absolute() else Path(project.folder or ".") / m.path
    meta = folder / "model.json"
    return meta.stat().st_mtime if meta.exists() else float("-inf")


def newest_model(project: Project, family: str, wanted: str | None = None) -> ModelRef | None:
    """The project's model `wanted` (InputError when it is not a `family` model), else its
    `family` model whose checkpoint was written last (the later entry on a tie), else None."""
    models = [m for m in project.models if m.family == family]
    if wanted is not None:
        for m in models:
            if m.id == wanted:
                return m
        raise InputError(project.folder, f"no {family} model {wanted!r} (have: {[m.id for m in models]})")
    if not models:
        return None
    return max(enumerate(models), key=lambda im: (_checkpoint_stamp(project, im[1]), im[0]))[1]


def performance_end(layer_start: int, offset: int, driving: ClipInfo, output_fps: float, frames: int) -> int:
    """The last output frame of a layer that plays `driving` from its frame `offset` at
    `layer_start`, read by time at `output_fps`, within the output's `frames` (one before
    `layer_start` when the offset is past the driving clip's end)."""
    rate = float(driving.fps) / output_fps if driving.fps and output_fps else 1.0
    return min(frames - 1, last_driven_frame(layer_start, offset, driving.frame_count, rate))


def driven_layer(kind: str, start: int, end: int, params, settings: dict, name: str) -> EditLayer:
    """A reenact_face / transfer_body layer over [start, end] holding `params` from its start."""
    return EditLayer(kind, start, end, {start: params}, interpolation="hold", settings=settings, name=name)


def with_driven_layer(project: Project, layer: EditLayer) -> Project:
    """The project with `layer` added, replacing an earlier layer of the same kind that plays
    the same driving clip (running a transfer again does not stack two)."""
    timeline = project.timeline
    clip = layer.settings.get("driving_clip")
    for old in [ly for ly in timeline.layers if ly.kind == layer.kind]:
        if old.settings.get("driving_clip") == clip:
            timeline = timeline.remove_layer(old.id)
    return project.with_timeline(timeline.add_layer(layer))
