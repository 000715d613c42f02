"""What the training dialog offers a new user: one line saying what each family and preset is
for (a family's line comes from its registered spec)."""

from __future__ import annotations

from render_core.families.registry import get_spec

PRESET_HELP = {
    "cpu-preview": "Small and quick: a usable model in about 10 minutes on a CPU (128 px).",
    "gpu-quality": "Large: for a GPU, an hour or more, at the papers' resolutions (256-512 px).",
}


def family_help(name: str) -> str:
    return get_spec(name).summary if name else ""


def preset_help(name: str) -> str:
    return PRESET_HELP.get(name, "")
