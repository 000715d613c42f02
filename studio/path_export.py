"""File > Export for an image set: the document as it is now (its camera path, the viewpoint
keys, the model the preview draws with), by the core's `render_document`, which
`main.py render FOLDER` runs on the saved document; on the heavy pool with progress and cancel
in the status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from studio.jobs import Job, Kind


def default_output(image_set) -> Path:
    return image_set.folder / f"{image_set.folder.stem}-{image_set.path}.mp4"


def export_job(session, output: Path):
    """(the open document, its render config into `output`): what File > Export renders."""
    from render_core.render.camera_path import document_config

    project = session.state.document()
    export = project.export
    return project, document_config(
        project, str(output), crf=export.crf, preset=export.preset, device=session.device
    )


def export_path(session, output: Path) -> Job:
    """Render the open image set's path (as the studio shows it) into `output` (MP4)."""
    from render_core.render.camera_path import render_document

    project, cfg = export_job(session, output)
    job = session.runner.submit(
        lambda ctx: render_document(project, cfg, ctx),
        f"export {output.name}",
        Kind.HEAVY,
    )
    job.signals.finished.connect(
        lambda r: session.message.emit(f"Wrote {r['output']} ({r['frames']} frames)")
    )
    job.signals.failed.connect(session.error)
    return job


def show_path_export(win) -> Job | None:
    """Ask where the path's video goes, then export it."""
    image_set = win.state.image_set
    path, _ = QFileDialog.getSaveFileName(
        win, "Export camera path", str(default_output(image_set)), "MP4 (*.mp4)"
    )
    if not path:
        return None
    out = Path(path) if Path(path).suffix.lower() == ".mp4" else Path(path).with_suffix(".mp4")
    return export_path(win.session, out)
