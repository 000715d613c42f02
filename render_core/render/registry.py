"""Renderer families: the classical `warp` and the trained neural families.

A project's `renderer` is "warp" or the id of one of its trained models; the model's family
names the loader. New families plug in by adding a loader here, with no pipeline or studio
change: both only ever call `make_renderer`.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from render_core.errors import InputError
from render_core.render.types import Renderer

# family -> "module:function(checkpoint_dir, device) -> Renderer"
MODEL_LOADERS = {
    "portrait": "render_core.render.portrait_renderer:load_renderer",
    "body": "render_core.render.body_renderer:load_renderer",
}


def available_renderers(project) -> list[str]:
    """ "warp" plus the ids of the project's models whose family has a loader."""
    return ["warp", *(m.id for m in project.models if m.family in MODEL_LOADERS)]


def _model(project, name: str):
    for m in project.models:
        if m.id == name:
            return m
    raise InputError(project.folder, f"unknown renderer {name!r}; choose from {available_renderers(project)}")


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
        from render_core.render.warp_renderer import WarpRenderer
        from render_core.warp.clip_frames import ClipFrames

        return WarpRenderer(frames=ClipFrames(project.clip_path(project.target().id)))
    m = _model(project, name)
    if m.family not in MODEL_LOADERS:
        raise InputError(project.folder, f"model {m.id!r} has family {m.family!r}, which has no renderer")
    module, func = MODEL_LOADERS[m.family].split(":")
    loader = getattr(importlib.import_module(module), func)
    path = Path(m.path) if Path(m.path).is_absolute() else Path(project.folder or ".") / m.path
    if not path.exists():
        raise InputError(path, f"checkpoint of model {m.id!r} is missing")
    return loader(path, device)
