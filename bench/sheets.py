"""Contact sheet of a body model: source / warp renderer / model, for the reference edit (both
shoulders +40 degrees) on a held-out frame and for three frames of a dance transfer.

Why: held-out PSNR does not show a smeared face or a ghost of the old arms; a person looking at
these rows does. Each row renders a short run of frames before the one shown, so the model's
fed-back previous output is warm as in an export.

Run after `bench.body.transfer_follow` (it writes the transfer project this reads).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

WARM_FRAMES = 6  # frames rendered before each shown one
LABEL_H = 22


def _crop_box(meta: dict, wh: tuple[int, int]) -> tuple[int, int, int, int]:
    """The checkpoint's person crop in frame px, clamped to the frame."""
    c = meta["crop"]
    x0, y0 = c["x0"], c["y0"]
    x1, y1 = x0 + c["w"] / c["s"], y0 + c["h"] / c["s"]
    return max(0, int(x0)), max(0, int(y0)), min(wh[0], int(np.ceil(x1))), min(wh[1], int(np.ceil(y1)))


def _label(image: np.ndarray, text: str) -> np.ndarray:
    bar = np.ones((LABEL_H, image.shape[1], 3), np.float32)
    cv2.putText(bar, text, (4, LABEL_H - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([bar, image], 0)


def _render_run(renderers, requests) -> list[np.ndarray]:
    """Each renderer's image of the last request, after the ones before it (a fresh sequence)."""
    out = []
    for r in renderers:
        r.reset()
        for req in requests:
            image = r.render(req).image
        out.append(image)
    return out


def _requests(sources, timeline, t: int, edit, read) -> list:
    """FrameRequests of frames t - WARM_FRAMES .. t, edited by `edit(t)` -> EditedFrame."""
    from render_core.contract import FrameRequest

    reqs = []
    for u in range(max(0, t - WARM_FRAMES), t + 1):
        frame = read(u)
        e = edit(u)
        mask = sources.target.person_mask(u, (frame.shape[1], frame.shape[0]))
        reqs.append(FrameRequest(u, frame, e.face, e.face_edit, e.body, e.body_edit, mask, sources.target))
    return reqs


def contact_sheet(checkpoint: str | Path, project_folder: str | Path, out: str | Path) -> dict:
    """Write the sheet PNG to `out`; returns {"path", "rows"}."""
    from render_core.edits.body_ops import apply_body_pose
    from render_core.families.body.realism import REFERENCE_EDIT
    from render_core.families.body.renderer import load_renderer
    from render_core.jobs import null_context
    from render_core.media.decode import VideoReader
    from render_core.media.frames import to_float
    from render_core.project.io import load_project
    from render_core.render.frame_edits import EditedFrame, resolve_frame
    from render_core.render.sources import load_sources
    from render_core.render.warp_renderer import WarpRenderer
    from render_core.states import BodyState
    from render_core.training.checkpoint import load_checkpoint

    meta = load_checkpoint(checkpoint).meta
    project = load_project(Path(project_folder))
    sources = load_sources(project, null_context())
    renderers = [WarpRenderer(), load_renderer(checkpoint, "cpu")]
    rows = []
    with VideoReader(project.clip_path(project.target().id)) as reader:
        read = lambda t: to_float(reader.read(t))  # noqa: E731
        n = len(reader)
        box = None

        def shoulders(u: int) -> EditedFrame:
            body = sources.target.body(u)
            return EditedFrame(None, None, body, BodyState(apply_body_pose(body.joints, REFERENCE_EDIT)))

        runs = meta.get("heldout_runs") or [[n // 2, n // 2]]
        t_edit = min(int(runs[0][0]) + 10, int(runs[0][1]), n - 1)
        shots = [("shoulders +40", t_edit, shoulders)]
        length = min(n, len(sources.target))
        for t in np.linspace(length * 0.2, length * 0.8, 3).round().astype(int):
            shots.append((f"transfer t={t}", int(t), lambda u: resolve_frame(sources, project.timeline, u)))
        for name, t, edit in shots:
            reqs = _requests(sources, project.timeline, t, edit, read)
            images = [reqs[-1].frame, *_render_run(renderers, reqs)]
            h, w = images[0].shape[:2]
            box = box or _crop_box(meta, (w, h))
            x0, y0, x1, y1 = box
            tiles = [
                _label(im[y0:y1, x0:x1], f"{name}: {lab}")
                for im, lab in zip(images, ("source", "warp renderer", "model"), strict=True)
            ]
            rows.append(np.concatenate(tiles, 1))
    sheet = np.concatenate(rows, 0)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    u8 = np.clip(sheet * 255 + 0.5, 0, 255).astype(np.uint8)
    cv2.imwrite(str(out), cv2.cvtColor(u8, cv2.COLOR_RGB2BGR))
    return {"path": str(out), "rows": [s[0] for s in shots]}
