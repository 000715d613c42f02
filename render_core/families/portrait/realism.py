"""Does an edited face look like the clip? Measures held-out PSNR alone does not show.

- sharpness ratio: mean absolute Laplacian of the face box, output over real (blur reads < 1),
  on held-out self-reenactment and on frames rendered with a `jaw_open=0.5` edit (there the
  reference is the frame being edited: an edit must not blur what it does not change), and the
  edited sequence's E_warp over the real one's;
- mouth-region PSNR on held-out frames whose mouth is open (the interior the warp cannot give);
- a contact sheet: source | warp renderer | model for three edits on three held-out frames.

Edited frames are rendered at crop level as the renderer renders them: the conditioning of the
steadied landmarks moved by the edit's displacement, every frame of the window edited alike, and
(warp-guided models) the frame itself warped to the edited landmarks. The warp renderer's column
is `warp.face.warp_face` on the crop, from the tracked to the edited landmarks.

Convention: crops (S, S, 3) float32 RGB [0, 1]; landmarks (478, 3) crop px; boxes (x0, y0, x1, y1).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch

from render_core.edits.face_ops import edit_face
from render_core.edits.params import ExpressionParams, HeadPoseParams
from render_core.families.portrait.crop import head_mask
from render_core.families.portrait.maps import FaceMapRenderer
from render_core.families.portrait.warp_input import (
    edit_region,
    mouth_box,
    mouth_openness,
    target_landmarks,
    warp_crop,
)
from render_core.families.portrait.warp_net import WarpGuidedUNet
from render_core.families.portrait.window import stack_window, window_indices
from render_core.geometry import face_topology as ft
from render_core.metrics.image import psnr
from render_core.states import FaceState
from render_core.tracking.face import iris_centres
from render_core.warp.face import warp_face

# A mouth counts as open past this inner-lip gap (fraction of the forehead-chin height): lips
# parted by about a tooth's height on a frontal face.
OPEN_MOUTH = 0.03
EDITS: dict[str, dict] = {
    "jaw_open 0.5": {"expression": ExpressionParams(jaw_open=0.5)},
    "smile 0.6": {"expression": ExpressionParams(smile=0.6)},
    "yaw +10": {"head_pose": HeadPoseParams(yaw=10.0)},
}
SHARPNESS_EDIT = "jaw_open 0.5"


def face_box(landmarks: np.ndarray, size: int) -> tuple[int, int, int, int]:
    """The face oval's bounding box in a (size, size) crop."""
    xy = np.asarray(landmarks)[list(ft.face_oval()), :2]
    x0, y0 = np.clip(np.floor(xy.min(0)), 0, size - 1).astype(int)
    x1, y1 = np.clip(np.ceil(xy.max(0)), 1, size).astype(int)
    return int(x0), int(y0), int(max(x1, x0 + 1)), int(max(y1, y0 + 1))


def sharpness(image: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Mean absolute Laplacian (3x3) of the grey image inside `box`: high-band energy."""
    x0, y0, x1, y1 = box
    grey = image[..., :3].mean(-1).astype(np.float32)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F, ksize=1))[y0:y1, x0:x1].mean())


def sharpness_ratio(outputs: list[np.ndarray], references: list[np.ndarray], boxes: list) -> float:
    """Summed face-box sharpness of `outputs` over that of `references` (1 = as sharp)."""
    num = sum(sharpness(a, b) for a, b in zip(outputs, boxes, strict=True))
    den = sum(sharpness(a, b) for a, b in zip(references, boxes, strict=True))
    return float(num / den) if den > 0 else float("nan")


def mouth_scores(gen: list, base: list, real: list, data, positions) -> dict[str, float]:
    """PSNR of model and warp baseline in the mouth box of the held-out frames whose mouth is open."""
    size = data.crops.shape[1]
    rows = []
    for g, b, r, p in zip(gen, base, real, positions, strict=True):
        lm = data.landmarks_crop[int(p)]
        if mouth_openness(lm) < OPEN_MOUTH:
            continue
        x0, y0, x1, y1 = mouth_box(lm, size)
        m = np.zeros((size, size), bool)
        m[y0:y1, x0:x1] = True
        m &= data.inside(int(p))
        if m.any():
            rows.append((psnr(g, r, mask=m), psnr(b, r, mask=m)))
    out: dict[str, float] = {"mouth_open_frames": len(rows)}
    if rows:
        out["mouth_psnr"], out["baseline_mouth_psnr"] = (float(v) for v in np.mean(rows, axis=0))
    return out


@dataclass(frozen=True)
class EditedFrame:
    """One held-out frame under an edit, at crop level: (S, S, 3) float32 [0, 1] each; the
    model's crop pasted over the source as the renderer pastes it (`pasted`)."""

    source: np.ndarray
    warp: np.ndarray
    model: np.ndarray


def _edited_geometry(data, pos: int, edit: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(tracked landmarks, edited landmarks, conditioning landmarks, conditioning iris) in sample
    `pos`'s crop: the tracked face edited, and the steadied one moved by the same displacement."""
    f, i, t = data.track, int(data.frames[pos]), data.transforms[pos]
    h, w = data.frame_hw
    state = FaceState(f.landmarks[i], f.head_pose[i], f.iris[i], f.focal, (w / 2.0, h / 2.0))
    edited = edit_face(state, f.neutral, edit)
    tracked, moved = t.points(f.landmarks[i]), t.points(edited.landmarks)
    base = target_landmarks(data, pos, steady=True)
    lm = base + (moved - tracked)
    shift = t.points(np.asarray(edited.iris)) - t.points(np.asarray(f.iris[i]))
    return tracked, moved, lm, iris_centres(base) + shift


@torch.no_grad()
def render_edit(g: torch.nn.Module, data, pos: int, edit: dict, dev) -> EditedFrame:
    """Held-out sample `pos` rendered with `edit` by the warp renderer and by the model `g`."""
    renderer = FaceMapRenderer(data.crops.shape[1], data.colors, data.light)
    start = 0 if data.run_start is None else int(data.run_start[pos])
    maps = []
    for k in window_indices(pos, data.n_w, start):
        _, _, lm, iris = _edited_geometry(data, k, edit)
        maps.append(renderer.render(lm, iris))
    window = stack_window(maps)
    source = data.crops[pos].astype(np.float32) / 255.0
    tracked, moved, lm, _ = _edited_geometry(data, pos, edit)
    if isinstance(g, WarpGuidedUNet):
        warped = warp_crop(source, tracked, moved, g.inputs)
        window = np.concatenate([window, warped.transpose(2, 0, 1)])
        if g.inputs.region:
            region = edit_region(moved, source.shape[0], tracked if g.inputs.by_change else None)
            window = np.concatenate([window, region[None]])
    x = torch.from_numpy(np.ascontiguousarray(window, np.float32))[None].to(dev.device)
    g.eval()
    with dev.autocast():
        y = g(x.contiguous(memory_format=dev.memory_format))
    model = ((y[0].float().clamp(-1, 1) + 1) / 2).permute(1, 2, 0).cpu().numpy()
    # as the renderer shows it: pasted back over the frame under the head mask of both faces
    mask = head_mask(np.concatenate([moved, tracked]), source.shape[0])
    return EditedFrame(source, warp_face(source, tracked, moved)[0], pasted(model, source, mask))


def pasted(image: np.ndarray, frame: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(S, S, 3) crop `image` pasted over `frame`'s crop under `mask` (S, S) [0, 1], as the
    renderer composites: the edit's measures and sheets score what a viewer sees."""
    return frame + (image - frame) * mask[..., None]


def edit_report(g, data, positions, dev) -> dict[str, float]:
    """Under `SHARPNESS_EDIT` on the held-out sequence: sharpness ratio of model and warp
    renderer against the frames edited, and their E_warp over the edited frames' own (the real
    video's flow: an edit held still must not flicker more than the video)."""
    from render_core.metrics.temporal import WarpErrorMeter

    frames = [render_edit(g, data, int(p), EDITS[SHARPNESS_EDIT], dev) for p in positions]
    size = data.crops.shape[1]
    boxes = [face_box(data.landmarks_crop[int(p)], size) for p in positions]
    src = [f.source for f in frames]
    rep = {
        "sharpness_jaw": sharpness_ratio([f.model for f in frames], src, boxes),
        "warp_sharpness_jaw": sharpness_ratio([f.warp for f in frames], src, boxes),
    }
    meter = WarpErrorMeter(3)
    for f in frames:
        meter.update(f.source, [f.model, f.warp, f.source])
    if meter.pairs and meter.values[2] > 0:
        model, warp, real = meter.values
        rep["ewarp_jaw_ratio"], rep["warp_ewarp_jaw_ratio"] = model / real, warp / real
    return rep


def contact_sheet(g, data, positions, dev) -> np.ndarray:
    """(3 S, 7 S, 3) float32: per held-out frame (row) the source, then warp renderer | model for
    each of `EDITS` (columns), each tile titled."""
    rows = []
    for p in positions:
        tiles = [_titled(data.crops[int(p)].astype(np.float32) / 255.0, f"frame {int(data.frames[int(p)])}")]
        for name, edit in EDITS.items():
            f = render_edit(g, data, int(p), edit, dev)
            tiles += [_titled(f.warp, f"warp {name}"), _titled(f.model, f"model {name}")]
        rows.append(np.concatenate(tiles, axis=1))
    return np.concatenate(rows, axis=0)


def _titled(image: np.ndarray, text: str) -> np.ndarray:
    """The tile with `text` written on a dark band along its top (readable at any crop size)."""
    out = image.copy()
    band = max(10, image.shape[0] // 14)
    out[:band] *= 0.35
    scale = band / 26.0
    cv2.putText(
        out, text, (2, int(band * 0.75)), cv2.FONT_HERSHEY_SIMPLEX, scale, (1.0, 1.0, 1.0), 1, cv2.LINE_AA
    )
    return out


def sheet_positions(heldout: np.ndarray, n: int = 3) -> list[int]:
    """`n` held-out samples spread over the held-out span (fewer where there are fewer)."""
    if len(heldout) == 0:
        return []
    picks = np.linspace(0, len(heldout) - 1, min(n, len(heldout))).round().astype(int)
    return [int(heldout[k]) for k in dict.fromkeys(picks)]


def save_sheet(path, sheet: np.ndarray) -> None:
    """Write a float32 RGB [0, 1] image as PNG."""
    bgr = cv2.cvtColor(np.round(np.clip(sheet, 0, 1) * 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
    if not cv2.imwrite(str(path), bgr):
        raise OSError(f"could not write {path}")
