"""Renderers of a project: the classical `warp` and its trained models.

A project's `renderer` is "warp" or the id of one of its trained models; the model's family
(`families.registry`) names the loader, so a new family plugs in with no change here, in the
pipeline or in the studio: they only ever call `make_renderer`.
"""

from __future__ import annotations

from pathlib import Path

from render_core.contract import Renderer
from render_core.errors import InputError
from render_core.families.registry import family_names, get_spec, load_renderer
from render_core.render.warp_renderer import WarpRenderer
from render_core.warp.clip_frames import ClipFrames


def available_renderers(project) -> list[str]:
    """ "warp" plus the ids of the project's models of a known family."""
    known = family_names()
    return ["warp", *(m.id for m in project.models if m.family in known)]


def _model(project, name: str):
    for m in project.models:
        if m.id == name:
            return m
    raise InputError(project.folder, f"unknown renderer {name!r}; choose from {available_renderers(project)}")


def renderer_kinds(project, name: str | None = None) -> frozenset[str]:
    """The edit kinds renderer `name` (default: the project's) draws, without loading it."""
    name = name or project.renderer
    if name == "warp":
        return WarpRenderer.kinds
    return get_spec(_model(project, name).family).edit_kinds


def renderer_id(project, name: str | None = None) -> str:
    """What identifies the renderer's output (the render cache key part)."""
    name = name or project.renderer
    if name == "warp":
        return "warp-2"  # 2: donor mouths and lids, damped turns, bicubic resampling
    m = _model(project, name)
    ckpt = Path(project.folder or ".") / m.path / "model.json"
    stamp = ckpt.stat().st_mtime_ns if ckpt.exists() else 0
    return f"{m.family}-{m.id}-{stamp}"


def make_renderer(project, name: str | None = None, device: str = "auto") -> Renderer:
    """Build the renderer `name` (default: the project's choice)."""
    name = name or project.renderer
    if name == "warp":
        return WarpRenderer(frames=ClipFrames(project.clip_path(project.target().id)))
    m = _model(project, name)
    if m.family not in family_names():
        raise InputError(project.folder, f"model {m.id!r} has family {m.family!r}, which has no renderer")
    path = Path(m.path) if Path(m.path).is_absolute() else Path(project.folder or ".") / m.path
    if not path.exists():
        raise InputError(path, f"checkpoint of model {m.id!r} is missing")
    return load_renderer(m.family, path, device)
