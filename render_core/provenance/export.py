"""The export's one hook: attach Content Credentials to a writer before frames go in.

`sign_export` reads the project (source clip, renderer, edit layers), loads or makes this
install's signing identity up front (a damaged key fails the export before any rendering),
and asks the writer to sign its finished temporary output just before it is moved into place.
"""

from __future__ import annotations

from pathlib import Path

from render_core.media.hashing import content_hash
from render_core.provenance.credentials import load_credentials
from render_core.provenance.manifest import (
    ExportRecord,
    SourceClip,
    build_manifest,
    edit_ranges,
    mime_type,
)
from render_core.provenance.signing import sign_sequence, sign_video

SOURCE_MIME = {
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
    ".avi": "video/x-msvideo",
}


def source_clip(project) -> SourceClip:
    """The target clip as an ingredient: its stored content hash (computed when missing)."""
    ref = project.target()
    path = project.clip_path(ref.id)
    digest = ref.content_hash or content_hash(path)
    return SourceClip(path.name, digest, SOURCE_MIME.get(path.suffix.lower(), "video/mp4"))


def export_record(project, renderer: str, frames: tuple[int, int], output: str | Path) -> ExportRecord:
    """What an export of `project` over output frames [start, stop) through `renderer` does."""
    out = Path(output)
    family = next((m.family for m in project.models if m.id == renderer), None)
    return ExportRecord(
        title=out.name,
        mime=mime_type(out) or "application/octet-stream",
        renderer=renderer,
        family=family,
        frames=(int(frames[0]), int(frames[1])),
        edits=edit_ranges(project.timeline.layers, frames),
        source=source_clip(project),
    )


def sign_export(writer, project, renderer: str, frames: tuple[int, int]) -> bool:
    """Have `writer` sign its output when it finishes. False (nothing attached) for a container
    C2PA cannot carry a manifest in (Matroska). On an error the writer is aborted, so its
    temporary output does not outlive the failed export."""
    mime = mime_type(writer.path)
    if mime is None:
        return False
    try:
        manifest = build_manifest(export_record(project, renderer, frames, writer.path))
        creds = load_credentials()
    except BaseException:
        writer.abort()
        raise
    if mime == "image/png":
        writer.finish_with(lambda part: sign_sequence(part, manifest, creds))
    else:
        writer.finish_with(lambda part: sign_video(part, manifest, creds))
    return True
