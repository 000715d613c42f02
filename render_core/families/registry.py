"""The model families, registered once each: what the CLI, the studio and the render registry
read instead of naming families.

A family's package (`render_core.families.<name>`) registers one `FamilySpec` when imported:
its presets, the edit kinds its renderer draws, what it trains on, its training hooks and its
renderer loader (both named as "module:attribute" and imported on use, so listing families
stays cheap). Adding a family is one package plus one line in `FAMILY_PACKAGES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from render_core.contract import Renderer
from render_core.errors import InputError
from render_core.training import presets as preset_ops
from render_core.training.family import Family

FAMILY_PACKAGES = {
    "portrait": "render_core.families.portrait",
    "body": "render_core.families.body",
    "novel_view": "render_core.families.novel_view",
}


@dataclass(frozen=True)
class FamilyOption:
    """A named preset override a user can tick (label), what it sets, and what it trades (help)."""

    label: str
    overrides: Mapping[str, Any]
    help: str = ""


@dataclass(frozen=True)
class FamilySpec:
    """name: the family's id (checkpoints and projects store it); title / summary: what the
    studio shows; trains_on: the tracked part its training needs ("face" / "body", which also
    picks the default family for a clip) or "capture" (an image set with cameras);
    edit_kinds: what its renderer draws; presets: preset name -> config; trainer / renderer:
    "module:attribute" of its `training.family.Family` subclass and of its
    `load_renderer(checkpoint_dir, device)`; options: named preset overrides a user can tick
    in the studio."""

    name: str
    title: str
    summary: str
    trains_on: str
    edit_kinds: frozenset[str]
    presets: Mapping[str, Any]
    trainer: str
    renderer: str
    options: tuple[FamilyOption, ...] = ()


_SPECS: dict[str, FamilySpec] = {}


def register(spec: FamilySpec) -> FamilySpec:
    _SPECS[spec.name] = spec
    return spec


def family_names() -> list[str]:
    for name in FAMILY_PACKAGES:
        _load(name)
    return sorted(_SPECS)


def get_spec(name: str) -> FamilySpec:
    if name in FAMILY_PACKAGES:
        _load(name)
    if name not in _SPECS:
        raise InputError(None, f"unknown model family {name!r} (have: {', '.join(family_names())})")
    return _SPECS[name]


def _load(name: str) -> None:
    if name not in _SPECS:
        importlib.import_module(FAMILY_PACKAGES[name])


def _attribute(ref: str) -> Any:
    module, attr = ref.split(":")
    return getattr(importlib.import_module(module), attr)


def get_family(name: str) -> Family:
    """The family's training hooks."""
    return _attribute(get_spec(name).trainer)()


def preset_names(family: str) -> list[str]:
    return sorted(get_spec(family).presets)


def get_preset(family: str, name: str, overrides: dict | None = None) -> Any:
    """The preset config `family/name` with `overrides`; InputError for unknown names or fields."""
    return preset_ops.get_preset(get_spec(family).presets, family, name, overrides)


def parse_overrides(family: str, name: str, items: list[str]) -> dict:
    """`--set name=value` items -> typed overrides of preset `family/name`."""
    return preset_ops.parse_overrides(get_preset(family, name), f"{family}/{name}", items)


def config_from_json(family: str, d: dict) -> Any:
    """A family's config from a checkpoint's stored dict (`training.presets.config_from_json`)."""
    return preset_ops.config_from_json(type(next(iter(get_spec(family).presets.values()))), d)


def load_renderer(family: str, checkpoint_dir: str | Path, device: str = "auto") -> Renderer:
    """The renderer of a checkpoint of `family`."""
    return _attribute(get_spec(family).renderer)(checkpoint_dir, device)


LEG_JOINTS = (25, 26, 27, 28)  # knees and ankles (MediaPipe pose)
MIN_VISIBILITY = 0.5


def legs_in_view(tracks) -> float:
    """Fraction of the body-tracked frames whose knees and ankles are visible (0 without a body)."""
    body = tracks.body if tracks is not None else None
    if body is None or not body.valid.any():
        return 0.0
    vis = body.joints[body.valid][:, list(LEG_JOINTS), 3]
    return float(np.mean(np.all(vis >= MIN_VISIBILITY, axis=1)))


def suggested_family(tracks, names: list[str] | None = None) -> str:
    """The family a clip's tracks suit (what the studio's training dialog starts on): one that
    trains on a body when the clip shows the whole person (legs in view on most frames), one
    that trains on a face when it shows a face, else the first of `names`."""
    names = family_names() if names is None else names
    face = tracks.face if tracks is not None else None
    wanted = ["body"] if legs_in_view(tracks) >= 0.5 else []
    if face is None or face.valid.any():
        wanted.append("face")
    for part in wanted:
        for n in names:
            if get_spec(n).trains_on == part:
                return n
    return names[0] if names else ""
