"""What the training dialog offers a new user: a family suited to the open clip, and one line
saying what each family and preset is for."""

from __future__ import annotations

import numpy as np

from render_core.tracking.tracks import Tracks

FAMILY_HELP = {
    "portrait": "A talking head: learns the face, for expression, head pose and gaze edits and reenactment.",
    "body": "A full body in view: learns the person, for body pose edits and dance (motion) transfer.",
    "novel_view": "Several views of a still subject: renders it from new viewpoints (viewpoint layers).",
}
PRESET_HELP = {
    "cpu-preview": "Small and quick: a usable model in about 10 minutes on a CPU (128 px).",
    "gpu-quality": "Large: for a GPU, an hour or more, at the papers' resolutions (256-512 px).",
}
LEG_JOINTS = (25, 26, 27, 28)  # knees and ankles (MediaPipe pose)
MIN_VISIBILITY = 0.5


def legs_in_view(tracks: Tracks | None) -> float:
    """Fraction of the body-tracked frames whose knees and ankles are visible (0 without a body)."""
    body = tracks.body if tracks is not None else None
    if body is None or not body.valid.any():
        return 0.0
    vis = body.joints[body.valid][:, list(LEG_JOINTS), 3]
    return float(np.mean(np.all(vis >= MIN_VISIBILITY, axis=1)))


def suggested_family(tracks: Tracks | None, names: list[str]) -> str:
    """`body` when the clip shows the whole person (legs in view on most frames), `portrait`
    when it shows a face, else the first family."""
    if "body" in names and legs_in_view(tracks) >= 0.5:
        return "body"
    face = tracks.face if tracks is not None else None
    if "portrait" in names and (face is None or face.valid.any()):
        return "portrait"
    return names[0] if names else ""


def family_help(name: str) -> str:
    return FAMILY_HELP.get(name, "")


def preset_help(name: str) -> str:
    return PRESET_HELP.get(name, "")
