"""Upgrades of older project documents, one step per schema version.

`MIGRATIONS[v]` turns a version-v document (a plain dict) into version v + 1. Loading applies
them in order up to `SCHEMA_VERSION`, so every old file keeps opening.

v0 is the skeleton's first layout (no `schema_version` key): clips carried `hash`, the target
was `target`, the timeline was `edits`, and there were no driving clips, models, renderer or
export settings.
v1 had no `camera_path` (the path an image-set project's frames follow): every v1 document is
a clip's, so it gets none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from render_core.errors import InputError

Doc = dict[str, Any]


def v0_to_v1(d: Doc) -> Doc:
    out = {k: v for k, v in d.items() if k not in ("target", "edits", "clips")}
    out["clips"] = [
        {"id": c["id"], "path": c["path"], "content_hash": c.get("hash", ""), "info": c.get("info")}
        for c in d.get("clips", [])
    ]
    out["target_clip"] = d.get("target")
    out["timeline"] = d.get("edits", {"layers": []})
    out.setdefault("driving_clips", [])
    out.setdefault("models", [])
    out.setdefault("renderer", "warp")
    out.setdefault("export", {})
    out["schema_version"] = 1
    return out


def v1_to_v2(d: Doc) -> Doc:
    return {**d, "camera_path": d.get("camera_path"), "schema_version": 2}


MIGRATIONS: dict[int, Callable[[Doc], Doc]] = {0: v0_to_v1, 1: v1_to_v2}


def document_version(d: Doc) -> int:
    v = d.get("schema_version", 0)
    if not isinstance(v, int) or v < 0:
        raise InputError(None, f"bad schema_version {v!r}")
    return v


def migrate(d: Doc, target: int) -> Doc:
    """Upgrade document `d` to schema `target`; InputError if it is newer than `target`."""
    v = document_version(d)
    if v > target:
        raise InputError(None, f"project schema_version {v} is newer than this program supports ({target})")
    while v < target:
        d = MIGRATIONS[v](d)
        v = document_version(d)
    return d
