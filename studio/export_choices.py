"""What the Export dialog offers: the audio choices of a document and the default output path.

Audio: the target's own, none, or a reenact_face / transfer_body layer's driving clip, placed so
the driving frame `offset` sounds at the layer's first frame (the frame its motion starts from),
until its last.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from render_core.edits.settings import DRIVEN_KINDS


@dataclass(frozen=True)
class AudioChoice:
    """One entry of the Audio combo. clip None: the target's audio; sync: (target frame, clip
    frame) that sound together (RenderConfig.audio_sync); stop: the target frame where it ends
    (the layer's last + 1: the driving performance is over there)."""

    label: str
    keep: bool
    clip: str | None = None
    sync: tuple[int, int] | None = None
    stop: int | None = None

    @property
    def key(self) -> tuple:
        """Which choice it is (the label and stop follow the layer's name and end)."""
        return (self.keep, self.clip, self.sync)


ORIGINAL = AudioChoice("Original audio", True)
NO_AUDIO = AudioChoice("No audio", False)


def driving_choices(project) -> list[AudioChoice]:
    """One choice per enabled reenact_face / transfer_body layer whose driving clip is in the project."""
    from render_core.edits.settings import ReenactSettings, TransferSettings

    parse = {"reenact_face": ReenactSettings.from_json, "transfer_body": TransferSettings.from_json}
    clips = {c.id: c for c in project.clips}
    out = []
    for layer in project.timeline.layers:
        ref = clips.get(layer.settings.get("driving_clip")) if layer.kind in DRIVEN_KINDS else None
        if not layer.enabled or ref is None:
            continue
        offset = parse[layer.kind](layer.settings).offset
        span = f"frames {layer.start}-{layer.end}"
        label = f"Driving audio: {Path(ref.path).name} (layer '{layer.name}', {span})"
        out.append(AudioChoice(label, True, ref.id, (layer.start, offset), layer.end + 1))
    return out


def default_output(
    project_folder: Path | None, clip: Path, last_folder: str | None, suffix: str = ".mp4"
) -> Path:
    """Where an export goes unless the user says otherwise: a saved project's folder; else the
    folder of the last export; else the user's Videos folder. Never beside the source clip,
    which may be read-only or shared footage. The name is `<clip>-edited<suffix>` (no suffix:
    a PNG sequence's folder), numbered past what already exists so that accepting the default
    never replaces an earlier export."""
    folders = [project_folder, last_folder and Path(last_folder)]
    movies = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MoviesLocation)
    folders += [Path(movies) if movies else None, Path.home()]
    folder = next(f for f in folders if f is not None and f.is_dir())
    name, k = f"{clip.stem}-edited{suffix}", 1
    while (folder / name).exists():
        k += 1
        name = f"{clip.stem}-edited-{k}{suffix}"
    return folder / name
