"""Held-out evaluation of a portrait model on its face crops, with the landmark-warp baseline.

The model is scored as the renderer runs it: conditioned on the steadied detected landmarks
(`tracking.steady`), while it trains on the detected ones.

Convention: crops (S, S, 3) float32 [0, 1]; baseline = the training frame with the nearest
crop-space landmarks, warped (render.warp_face) from its landmarks to the held-out ones. Scores
count only crop pixels inside the video frame (where the crop reaches past the frame edge, its
pixels are replicated border that the renderer never composites).
"""

from __future__ import annotations

import numpy as np
import torch

from render_core.families.portrait import realism
from render_core.families.portrait.crop import head_mask
from render_core.families.portrait.warp_input import guided_batch
from render_core.families.portrait.warp_net import WarpGuidedUNet
from render_core.jobs import JobContext
from render_core.metrics.image import psnr, ssim


@torch.no_grad()
def predict(g: torch.nn.Module, data, positions, dev, steady: bool = False) -> list[np.ndarray]:
    """Generated crops (S, S, 3) float32 [0, 1] for cached samples `positions` (with `steady`,
    conditioned as the renderer conditions: on the steadied landmarks). A warp-guided model
    starts from the warp baseline's source frame (`baseline_sources`), warped to the target."""
    g.eval()
    out = []
    guided = isinstance(g, WarpGuidedUNet)
    sources = baseline_sources(data, positions) if guided else {}
    for p in positions:
        pos = np.array([int(p)])
        if guided:
            x = guided_batch(data, pos, [sources[int(p)]], dev.device, g.inputs, steady)[0]
        else:
            x = data.batch(pos, dev.device, steady)[0]
        x = x.contiguous(memory_format=dev.memory_format)
        with dev.autocast():
            y = g(x)
        out.append(((y[0].float().clamp(-1, 1) + 1) / 2).permute(1, 2, 0).cpu().numpy())
    return out


def _crop_landmarks(data, pos: int) -> np.ndarray:
    """The tracked (smoothed) landmarks in the crop, as the warp renderer uses them: the stronger
    baseline (than warping with the landmarks as detected; docs/performance.md)."""
    i = int(data.frames[pos])
    return data.transforms[pos].points(data.track.landmarks[i])


def baseline_sources(data, positions) -> dict[int, int]:
    """Held-out sample -> the training sample the warp baseline (and a warp-guided model) moves
    to it: the one with the nearest crop landmarks (mean L1), the training bank built once."""
    bank = np.stack([_crop_landmarks(data, int(t))[:, :2] for t in data.train])
    out = {}
    for p in positions:
        dst = _crop_landmarks(data, int(p))[:, :2]
        out[int(p)] = int(data.train[np.argmin(np.abs(bank - dst[None]).mean(axis=(1, 2)))])
    return out


def baseline_source(data, pos: int) -> int:
    """The training sample with the crop landmarks nearest held-out sample `pos`'s."""
    return baseline_sources(data, [pos])[int(pos)]


def warp_baseline(data, pos: int, source: int | None = None) -> np.ndarray:
    """Training sample `source` (default: the nearest) warped to held-out sample `pos`'s landmarks."""
    from render_core.warp.face import warp_face

    dst = _crop_landmarks(data, pos)
    near = baseline_source(data, pos) if source is None else int(source)
    src = _crop_landmarks(data, near)
    img, _ = warp_face(data.crops[near].astype(np.float32) / 255.0, src, dst)
    return img


def image_scores(
    fakes: list[np.ndarray], reals: list[np.ndarray], insides: list[np.ndarray]
) -> tuple[float, float]:
    """Mean PSNR and SSIM over the crop pixels that come from inside the frame (`insides`):
    the replicated border past the frame edge is never composited, so it is not scored."""
    pairs = list(zip(fakes, reals, insides, strict=True))
    return (
        float(np.mean([psnr(a, b, mask=m) for a, b, m in pairs])),
        float(np.mean([ssim(a, b, mask=m) for a, b, m in pairs])),
    )


# The free composition renders only where it beats the edit-region one by this much on the
# held-out faces: the edit-region composition keeps the frame's own pixels (sharp, and no ghost
# of what the clip showed near the face), so the free one must earn its place by a clear gain.
PICK_MARGIN_DB = 1.0


def face_masks(data, positions, insides: list[np.ndarray]) -> list[np.ndarray]:
    """(S, S) bool per held-out sample: its face box (`realism.face_box`) inside the frame. Why
    the face: the renderer pastes the crop back only over the head, so the crop's shoulders and
    background (where a moved body misleads the held-out score) never show."""
    size = data.crops.shape[1]
    out = []
    for p, inside in zip(positions, insides, strict=True):
        x0, y0, x1, y1 = realism.face_box(data.landmarks_crop[int(p)], size)
        box = np.zeros((size, size), bool)
        box[y0:y1, x0:x1] = True
        out.append(box & inside)
    return out


def choose_composition(
    g: WarpGuidedUNet, data, positions, dev, real: list, faces: list
) -> tuple[dict, list[np.ndarray]]:
    """Set a `pick` model to the composition that renders (the free one only where it scores
    `PICK_MARGIN_DB` above the edit-region one on the held-out faces) -> (both scores, the
    chosen composition's held-out crops)."""
    scores, crops = {}, {}
    for region in (False, True):
        g.set_composition(region)
        crops[region] = predict(g, data, positions, dev, steady=True)
        scores[region] = image_scores(crops[region], real, faces)[0]
    g.set_composition(scores[False] < scores[True] + PICK_MARGIN_DB)
    rep = {
        "composition": "edit region" if g.in_region() else "free",
        "psnr_face_free": scores[False],
        "psnr_face_region": scores[True],
    }
    return rep, crops[g.in_region()]


def heldout_report(g, data, positions, dev, full: bool, ctx: JobContext) -> dict[str, float]:
    """PSNR/SSIM of the model (and with `full`, of the warp baseline, and E_warp) on held-out
    crops, and PSNR on their faces (`face_masks`). With `full` a `pick` model first chooses
    the composition it renders with (`choose_composition`)."""
    real = [data.crops[int(p)].astype(np.float32) / 255.0 for p in positions]
    inside = [data.inside(int(p)) for p in positions]
    faces = face_masks(data, positions, inside)
    if full and getattr(g, "pick", False):
        rep, gen = choose_composition(g, data, positions, dev, real, faces)
    else:
        rep, gen = {}, predict(g, data, positions, dev, steady=True)
    score, sim = image_scores(gen, real, inside)
    rep.update({"psnr": score, "ssim": sim, "psnr_face": image_scores(gen, real, faces)[0]})
    rep["frames"] = len(positions)
    if not full:
        return rep
    base = []
    sources = baseline_sources(data, positions)
    for k, p in enumerate(positions):
        base.append(warp_baseline(data, int(p), sources[int(p)]))
        ctx.step(k, len(positions), "warp baseline")
    rep["baseline_psnr"], rep["baseline_ssim"] = image_scores(base, real, inside)
    rep["baseline_psnr_face"] = image_scores(base, real, faces)[0]
    rep["inside_fraction"] = float(np.mean(inside))
    # The sequences as the renderer shows them: pasted back under the head mask, the frame's own
    # pixels elsewhere (and past the frame edge).
    size = real[0].shape[0]
    masks = [
        head_mask(_crop_landmarks(data, int(p)), size) * m for p, m in zip(positions, inside, strict=True)
    ]
    shown = [realism.pasted(a, b, m) for a, b, m in zip(gen, real, masks, strict=True)]
    rep.update(_ewarp(shown, real))
    base_shown = [realism.pasted(a, b, m) for a, b, m in zip(base, real, masks, strict=True)]
    rep.update({f"baseline_{k}": v for k, v in _ewarp(base_shown, real).items() if k == "ewarp"})
    rep.update(realism_report(g, data, positions, dev, gen, base, real))
    return rep


def realism_report(g, data, positions, dev, gen: list, base: list, real: list) -> dict:
    """Sharpness ratios (held-out and under a jaw edit), open-mouth PSNR, and the contact sheet
    (written to `data.sheet_path` where set; its path is reported)."""
    size = data.crops.shape[1]
    boxes = [realism.face_box(data.landmarks_crop[int(p)], size) for p in positions]
    rep = {
        "sharpness": realism.sharpness_ratio(gen, real, boxes),
        "baseline_sharpness": realism.sharpness_ratio(base, real, boxes),
        **realism.mouth_scores(gen, base, real, data, positions),
        **realism.edit_report(g, data, positions, dev),
    }
    if data.sheet_path is not None:
        sheet = realism.contact_sheet(g, data, realism.sheet_positions(np.asarray(positions)), dev)
        realism.save_sheet(data.sheet_path, sheet)
        rep["contact_sheet"] = str(data.sheet_path)
    return rep


def _ewarp(gen: list[np.ndarray], real: list[np.ndarray]) -> dict[str, float]:
    from render_core.metrics.temporal import WarpErrorMeter

    meter = WarpErrorMeter(2)
    for a, b in zip(gen, real, strict=True):
        meter.update(b, [a, b])
    if meter.pairs == 0:
        return {}
    e_gen, e_real = meter.values
    return {"ewarp": e_gen, "ewarp_real": e_real}
