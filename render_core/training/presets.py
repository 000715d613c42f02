"""Named training presets (the nerfstudio pattern), family-agnostic.

A family keeps its named presets in a mapping (name -> frozen config dataclass instance);
`get_preset` returns a copy with optional field overrides (tests shrink resolutions this way),
and a checkpoint stores the resolved config so the same model can be rebuilt for rendering
(`config_from_json`). `families.registry` resolves these by family name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from render_core.errors import InputError


def get_preset(presets: Mapping[str, Any], label: str, name: str, overrides: dict | None = None) -> Any:
    """The preset `name` of `presets` (`label` names the family in errors) with `overrides`
    applied; InputError for unknown names or fields."""
    if name not in presets:
        raise InputError(None, f"unknown preset {name!r} for {label!r} (have: {', '.join(sorted(presets))})")
    cfg = presets[name]
    fields = {f.name for f in dataclasses.fields(cfg)}
    bad = set(overrides or {}) - fields
    if bad:
        raise InputError(None, f"unknown preset fields {sorted(bad)} for {label}/{name}")
    return dataclasses.replace(cfg, **(overrides or {}))


def parse_overrides(cfg: Any, label: str, items: list[str]) -> dict:
    """`["lr=7e-4", "shift_augment=0.025"]` -> typed overrides of the preset config `cfg`
    (`label`: "family/preset" in errors): each value takes the type of the config's field (int,
    float, bool, str); InputError names a bad item."""
    family, _, name = label.partition("/")
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


def config_from_json(cls: type, d: dict) -> Any:
    """Rebuild a config of class `cls` from a checkpoint's stored dict (unknown keys ignored).

    Fields the checkpoint lacks (added after it was written) take the config class's defaults,
    which keep the behaviour older checkpoints were trained with."""
    fields = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in d.items() if k in fields})
