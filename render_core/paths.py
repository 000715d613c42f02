"""Where caches and user data live when no project folder is given."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "render-studio"


def user_cache_dir() -> Path:
    """`$RENDER_STUDIO_CACHE`, else `$XDG_CACHE_HOME/render-studio`, else `~/.cache/render-studio`."""
    env = os.environ.get("RENDER_STUDIO_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / APP_NAME


def tracks_cache_dir(project_dir: str | Path | None) -> Path:
    """`<project>/cache/tracks`, or the user cache's `tracks/` for clips outside a project."""
    root = Path(project_dir) / "cache" if project_dir else user_cache_dir()
    return root / "tracks"
