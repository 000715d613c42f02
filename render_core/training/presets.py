"""Named training presets per model family (the nerfstudio pattern).

Each family registers a config dataclass instance per preset name; `get_preset` returns a copy
with optional field overrides (tests shrink resolutions this way), and a checkpoint stores the
resolved config so the same model can be rebuilt for rendering.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from render_core.errors import InputError

PRESETS: dict[str, dict[str, Any]] = {}


def register_preset(family: str, name: str, config: Any) -> None:
    """Add one named config (a frozen dataclass instance) for `family`."""
    PRESETS.setdefault(family, {})[name] = config


def preset_names(family: str) -> list[str]:
    _ensure_loaded()
    return sorted(PRESETS.get(family, {}))


def get_preset(family: str, name: str, overrides: dict | None = None) -> Any:
    """The preset config with `overrides` applied; InputError for unknown names or fields."""
    _ensure_loaded()
    if name not in PRESETS.get(family, {}):
        raise InputError(
            None, f"unknown preset {name!r} for {family!r} (have: {', '.join(preset_names(family))})"
        )
    cfg = PRESETS[family][name]
    fields = {f.name for f in dataclasses.fields(cfg)}
    bad = set(overrides or {}) - fields
    if bad:
        raise InputError(None, f"unknown preset fields {sorted(bad)} for {family}/{name}")
    return dataclasses.replace(cfg, **(overrides or {}))


def parse_overrides(family: str, name: str, items: list[str]) -> dict:
    """`["lr=7e-4", "shift_augment=0.025"]` -> typed overrides of preset `family/name`: each value
    takes the type of the preset's field (int, float, bool, str); InputError names a bad item."""
    cfg = get_preset(family, name)
    fields = {f.name for f in dataclasses.fields(cfg)}
    out: dict = {}
    for item in items:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(None, f"--set {item!r}: expected name=value")
        if key not in fields:
            raise InputError(None, f"--set {item!r}: {family}/{name} has no setting {key!r}")
        out[key] = _typed(getattr(cfg, key), text.strip(), item)
    return out


def _typed(current: Any, text: str, item: str) -> Any:
    try:
        if isinstance(current, bool):
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return text.lower() in ("true", "1", "yes")
        if isinstance(current, int):
            return int(text)
        if isinstance(current, float):
            return float(text)
    except ValueError:
        kind = {"int": "an integer", "float": "a number", "bool": "true or false"}[type(current).__name__]
        raise InputError(None, f"--set {item!r}: expected {kind}") from None
    if current is None or isinstance(current, str):
        return text
    raise InputError(None, f"--set {item!r}: this setting cannot be set from the command line")


def config_from_json(family: str, d: dict) -> Any:
    """Rebuild a family's config from a checkpoint's stored dict (unknown keys ignored).

    Fields the checkpoint lacks (added after it was written) take the config class's defaults,
    which keep the behaviour older checkpoints were trained with."""
    _ensure_loaded()
    cls = type(next(iter(PRESETS[family].values())))
    fields = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in d.items() if k in fields})


def _ensure_loaded() -> None:
    from render_core.training import families

    families.load_all()
