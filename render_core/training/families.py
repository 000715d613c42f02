"""Registry of trainable model families: name -> Family instance. Families register lazily
(importing their module registers them and their presets) so `--help` stays cheap."""

from __future__ import annotations

import importlib

from render_core.errors import InputError
from render_core.training.family import Family

FAMILY_MODULES = {
    "portrait": "render_core.families.portrait.family",
    "body": "render_core.families.body.family",
}
_REGISTRY: dict[str, Family] = {}


def register_family(family: Family) -> None:
    _REGISTRY[family.name] = family


def load_all() -> None:
    for name in FAMILY_MODULES:
        if name not in _REGISTRY:
            _import(name)


def _import(name: str) -> None:
    try:
        importlib.import_module(FAMILY_MODULES[name])
    except ModuleNotFoundError as e:
        if e.name != FAMILY_MODULES[name]:  # a real missing dependency inside the module
            raise


def family_names() -> list[str]:
    load_all()
    return sorted(_REGISTRY)


def get_family(name: str) -> Family:
    if name not in _REGISTRY and name in FAMILY_MODULES:
        _import(name)
    if name not in _REGISTRY:
        raise InputError(None, f"unknown model family {name!r} (have: {', '.join(family_names())})")
    return _REGISTRY[name]
