"""What an export's Content Credentials say, as a C2PA manifest definition (pure).

The manifest records that the file was edited by an algorithm: one `c2pa.opened` action on the
source clip (an ingredient named by its content hash, `media.hashing`), then `c2pa.edited` with
the IPTC digital source type: `trainedAlgorithmicMedia` when a trained model drew the edited
frames, `algorithmicMedia` for the classical warp renderer. The renderer, the model and every
edit layer with its frame range go in a product assertion (`EDITS_LABEL`) that the signature
covers, so `verify` can show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from render_core import __version__

PRODUCT = "Render Studio"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
EDITS_LABEL = "org.render-studio.edits"
FILES_LABEL = "org.render-studio.files"  # a PNG sequence's frames and their sha256
SOURCE_LABEL = "source"
CLASSICAL_RENDERERS = frozenset({"warp"})
MIME_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", "": "image/png"}


@dataclass(frozen=True)
class EditRange:
    """One enabled edit layer with keyframes: its kind, name, frames [start, end] (inclusive,
    output frame numbers, clipped to the exported range)."""

    kind: str
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class SourceClip:
    """The clip the export was made from: file name, `media.hashing.content_hash`, MIME type."""

    title: str
    content_hash: str
    mime: str


@dataclass(frozen=True)
class ExportRecord:
    """What one export did. renderer: "warp" or a model id; family: the model's family (None
    for a classical renderer); frames: the exported range [start, stop)."""

    title: str
    mime: str
    renderer: str
    family: str | None
    frames: tuple[int, int]
    edits: tuple[EditRange, ...]
    source: SourceClip

    @property
    def neural(self) -> bool:
        return self.renderer not in CLASSICAL_RENDERERS


def mime_type(path: str | Path) -> str | None:
    """The MIME type C2PA knows the export under (a folder: a PNG sequence), None if none."""
    return MIME_TYPES.get(Path(path).suffix.lower())


def edit_ranges(layers: Sequence, frames: tuple[int, int]) -> tuple[EditRange, ...]:
    """The layers that change pixels in [start, stop): enabled, with keyframes, overlapping."""
    start, stop = frames
    return tuple(
        EditRange(ly.kind, ly.name, max(ly.start, start), min(ly.end, stop - 1))
        for ly in layers
        if ly.enabled and ly.keyframes and ly.start < stop and ly.end >= start
    )


def digital_source_type(record: ExportRecord) -> str:
    return IPTC + ("trainedAlgorithmicMedia" if record.neural else "algorithmicMedia")


def edits_assertion(record: ExportRecord) -> dict:
    """The product assertion: renderer, model, source hash, exported frames and edit layers."""
    return {
        "renderer": record.renderer,
        "model": record.renderer if record.neural else None,
        "family": record.family,
        "frames": {"start": record.frames[0], "stop": record.frames[1]},
        "source": asdict(record.source),
        "edits": [asdict(e) for e in record.edits],
    }


def describe_edits(edits: Sequence[EditRange]) -> str:
    """`expression 30-90, head_pose 0-120`: the edited action's human-readable description."""
    return ", ".join(f"{e.kind} {e.start}-{e.end}" for e in edits) or "no edit layers (re-encoded)"


def build_manifest(record: ExportRecord) -> dict:
    """The C2PA manifest definition of an export (c2pa `Builder` JSON)."""
    agent = {"name": PRODUCT, "version": __version__}
    ingredient = {
        "title": record.source.title,
        "format": record.source.mime,
        "relationship": "parentOf",
        "instance_id": f"render-studio:clip:{record.source.content_hash}",
        "label": SOURCE_LABEL,
    }
    actions = [
        {"action": "c2pa.opened", "parameters": {"ingredientIds": [SOURCE_LABEL]}},
        {
            "action": "c2pa.edited",
            "softwareAgent": agent,
            "digitalSourceType": digital_source_type(record),
            "description": describe_edits(record.edits),
        },
    ]
    return {
        "claim_generator_info": [agent],
        "title": record.title,
        "format": record.mime,
        "ingredients": [ingredient],
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": actions}},
            {"label": EDITS_LABEL, "data": edits_assertion(record)},
        ],
    }


def with_files(manifest: dict, files: Sequence[tuple[str, str]]) -> dict:
    """`manifest` plus the list of (file name, sha256 hex) a sidecar manifest vouches for."""
    listed = {"alg": "sha256", "files": [{"name": n, "hash": h} for n, h in files]}
    return {**manifest, "assertions": [*manifest["assertions"], {"label": FILES_LABEL, "data": listed}]}
