"""File > Export for an image set: its camera path with the viewpoint keys, through the model
the preview draws with, by the core's `render_image_set` (what `main.py render FOLDER` runs),
on the heavy pool with progress and cancel in the status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from studio.image_set import PATH_FPS, PATH_FRAMES, PATH_HEIGHT
from studio.jobs import Job, Kind


def default_output(image_set) -> Path:
    return image_set.folder / f"{image_set.folder.stem}-{image_set.path}.mp4"


def export_path(session, output: Path) -> Job:
    """Render the open image set's path (as the studio shows it) into `output` (MP4)."""
    from render_core.render.camera_path import PathRenderConfig, render_image_set

    st = session.state
    image_set, timeline, project = st.image_set, st.timeline, st.document()
    model = next((m for m in project.models if m.id == st.renderer), None)
    checkpoint = image_set.folder / model.path if model is not None else None
    cfg = PathRenderConfig(
        str(output), PATH_FRAMES, PATH_HEIGHT, PATH_FPS, path=image_set.path, device=session.device
    )
    job = session.runner.submit(
        lambda ctx: render_image_set(image_set.folder, cfg, ctx, timeline, checkpoint),
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
