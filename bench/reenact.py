"""Warp-renderer realism benchmark for face edits and face reenactment, on the shared talking
heads (no model): today's warp (no clip donors, expression copied as is) against the warp with
the clip's own mouth interior and eyelids and the retargeted expression.

- self-reenactment: a clip drives itself `offset` frames ahead, so the real frame t + offset is
  the ground truth: PSNR / SSIM on the face box, sharpness ratio (mean |Laplacian| of the face
  box, output / real), E_warp ratio (output / real video, the real video's flow);
- cross-reenactment: one clip drives another; the output is re-tracked (MediaPipe) and its
  mouth opening, smile and eye closure are correlated frame by frame with the driver's
  (target >= 0.8); sharpness ratio against the target's own frames; E_warp ratio against the
  driver's own video and against the target's own (a moving target over a still driver reads
  high against the driver whatever the renderer); on the frames where the driver's eyes are
  closed, the mean luma of the output's eye boxes against the range of the target's own
  closed eyes (a dark fill reads below it);
- edits: jaw_open=1 brightest-decile check (the interior's brightest tenth within the range of
  the clip's own open-mouth frames) and the sharpness ratio of a jaw_open=0.5 edit;
- contact sheets (PNG, next to the report): source / today's warp / new, per edit and at the
  driver's extremes (widest mouth, closed eye, largest head turn).

Run: `main.py bench reenact` or `python -m bench.reenact [OUT_DIR]` (default: the user cache's
bench/reenact, printed). Frames are few (2-core machine).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from render_core.edits.params import ExpressionParams
from render_core.samples import footage_dir

LUMA = np.array([0.299, 0.587, 0.114], np.float32)
CLIPS = {"d18": "A_liveportrait_d18.mp4", "d9": "A_liveportrait_d9.mp4", "d19": "A_liveportrait_d19.mp4"}


def _clip(name: str):
    from render_core.jobs import null_context
    from render_core.render.sources import track_for_render

    path = footage_dir() / CLIPS[name]
    return path, track_for_render(path, None, null_context())


def face_box(lm: np.ndarray, shape: tuple[int, int], grow: float = 0.1) -> tuple[slice, slice]:
    """The landmarks' box grown by `grow` of its size, inside the frame."""
    lo, hi = lm[:, :2].min(axis=0), lm[:, :2].max(axis=0)
    pad = grow * (hi - lo)
    x0, y0 = np.maximum(np.floor(lo - pad).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(hi + pad).astype(int), (shape[1], shape[0]))
    return slice(y0, y1), slice(x0, x1)


def sharpness(image: np.ndarray) -> float:
    """Mean absolute Laplacian of the luma (a blur reads lower)."""
    return float(np.abs(cv2.Laplacian(image @ LUMA, cv2.CV_32F)).mean())


def _renderers(path: Path):
    """The clip's frames, the plain warp (bilinear, no donors) and the one that ships."""
    from render_core.render.warp_renderer import WarpRenderer, WarpRendererConfig
    from render_core.warp.clip_frames import ClipFrames
    from render_core.warp.face import FaceWarpConfig

    frames = ClipFrames(path, capacity=4)
    plain = FaceWarpConfig(interpolation=cv2.INTER_LINEAR, supersample=1)
    return frames, WarpRenderer(WarpRendererConfig(face=plain)), WarpRenderer(frames=frames)


def _render(renderer, req) -> np.ndarray:
    out = renderer.render(req)
    m = out.mask[..., None]
    return (m * out.image + (1 - m) * req.frame).astype(np.float32)


def _reenacted(tgt, drv, t: int, dt: int, retarget: bool, stabilizer):
    """(tracked, reenacted) target face at t driven by the driver's frame dt, stabilized as
    the export stabilizes it; None where a face is missing."""
    from render_core.edits.reenact import FacePair, reenact_face
    from render_core.render.frame_edits import EditedFrame

    face = tgt.face(t)
    d_t, d_n, t_n = drv.steady_face(dt), drv.steady_face(drv.neutral_frame), tgt.face(tgt.neutral_frame)
    if face is None or d_t is None or d_n is None or t_n is None:
        return None
    ranges = (tgt.expression_range, drv.expression_range) if retarget else None
    edit = reenact_face(FacePair(face, t_n), FacePair(d_t, d_n), 1.0, ranges=ranges)
    e = stabilizer(EditedFrame(face, edit, None, None, face_driven=True))
    return e.face, e.face_edit


def self_reenactment(name: str, frames: int = 60, offset: int = 30) -> dict:
    """The clip drives itself `offset` frames ahead; output vs the real frame there."""
    from render_core.contract import FrameRequest
    from render_core.metrics.image import psnr, ssim
    from render_core.metrics.temporal import WarpErrorMeter
    from render_core.render.stabilize import EditStabilizer

    path, clip = _clip(name)
    cf, old_r, new_r = _renderers(path)
    n = min(frames, len(clip) - offset)
    stab = {False: EditStabilizer(30.0), True: EditStabilizer(30.0)}
    meters = [WarpErrorMeter(1) for _ in range(3)]  # each sequence on its own flow
    acc = {k: [] for k in ("psnr_old", "psnr_new", "ssim_old", "ssim_new", "sharp_old", "sharp_new")}
    for t in range(n):
        real = cf.get(t + offset)
        outs = []
        for retarget, r in ((False, old_r), (True, new_r)):
            pair = _reenacted(clip, clip, t, t + offset, retarget, stab[retarget])
            if pair is None:
                break
            outs.append(_render(r, FrameRequest(t, cf.get(t), pair[0], pair[1], clip=clip)))
        if len(outs) < 2:
            continue
        box = face_box(clip.face(t + offset).landmarks, real.shape[:2])
        for key, out in zip(("old", "new"), outs, strict=True):
            acc[f"psnr_{key}"].append(psnr(out[box], real[box]))
            acc[f"ssim_{key}"].append(ssim(out[box], real[box]))
            acc[f"sharp_{key}"].append(sharpness(out[box]) / max(sharpness(real[box]), 1e-6))
        for meter, seq in zip(meters, (real, *outs), strict=True):
            meter.update(seq, [seq])
    res = {k: round(float(np.mean(v)), 4) for k, v in acc.items() if v}
    floor, e_old, e_new = (m.values[0] for m in meters)
    res.update(
        clip=name, frames=n, ewarp_ratio_old=round(e_old / floor, 3), ewarp_ratio_new=round(e_new / floor, 3)
    )
    return res


def _measures(lm: np.ndarray) -> np.ndarray:
    """(3,) mouth opening, smile (mouth width: unlike the corners' height it does not move
    with the jaw), eye closure from (478, 2+) px landmarks, in eye spans."""
    p = lm[:, :2].astype(np.float64)
    span = np.linalg.norm(p[33] - p[263])
    mouth = np.linalg.norm(p[13] - p[14]) / span
    smile = np.linalg.norm(p[61] - p[291]) / span
    lids = np.linalg.norm(p[[386, 159]] - p[[374, 145]], axis=1).mean() / span
    return np.array([mouth, smile, -lids])


EYE_BOXES = ((33, 133), (263, 362))  # each eye's corners (the subject's right, left)
CLOSED_SHARE = 0.5  # an eye is closed below this share of its clip's median lid gap


def eye_luma(image: np.ndarray, lm: np.ndarray) -> float:
    """Mean luma of both eye boxes: between the corners, a third of the eye's width tall about
    its corners' midline (a closed eye's lid, lashes and the skin around them)."""
    p = lm[:, :2]
    vals = []
    for a, b in EYE_BOXES:
        (x0, x1), yc = sorted((p[a, 0], p[b, 0])), (p[a, 1] + p[b, 1]) / 2
        half = (x1 - x0) / 6
        ys = slice(max(int(yc - half), 0), max(int(np.ceil(yc + half)), 1))
        xs = slice(max(int(x0), 0), max(int(np.ceil(x1)), 1))
        vals.append(float((image[ys, xs] @ LUMA).mean()))
    return float(np.mean(vals))


def closed_eye_luma(clip, frames) -> tuple[float, float] | None:
    """(min, max) eye-box luma over the clip's own closed-eye frames (lid gap under
    `CLOSED_SHARE` of its median); None when the clip never closes its eyes."""
    idx = [t for t in range(len(clip)) if clip.face(t) is not None]
    gaps = np.array([-_measures(clip.face(t).landmarks)[2] for t in idx])
    shut = [t for t, g in zip(idx, gaps, strict=True) if g < CLOSED_SHARE * np.median(gaps)]
    if not shut:
        return None
    lumas = [eye_luma(frames.get(t), clip.face(t).landmarks) for t in shut]
    return min(lumas), max(lumas)


class _Retracker:
    """MediaPipe FaceMesh over an output sequence (video mode, as the tracker runs)."""

    def __init__(self) -> None:
        from mediapipe.python.solutions.face_mesh import FaceMesh

        self.fm = FaceMesh(static_image_mode=False, refine_landmarks=True, max_num_faces=1)

    def __call__(self, image: np.ndarray) -> np.ndarray | None:
        h, w = image.shape[:2]
        res = self.fm.process((np.clip(image, 0, 1) * 255).astype(np.uint8))
        if not res.multi_face_landmarks:
            return None
        return np.array([[q.x * w, q.y * h] for q in res.multi_face_landmarks[0].landmark], np.float32)


def cross_reenactment(target: str, driver: str, frames: int = 90, sheet: str | None = None) -> dict:
    """`driver` drives `target` frame for frame; expression correlation of the re-tracked output."""
    from render_core.contract import FrameRequest
    from render_core.metrics.temporal import warping_error
    from render_core.render.stabilize import EditStabilizer

    tpath, tgt = _clip(target)
    dpath, drv = _clip(driver)
    cf, old_r, new_r = _renderers(tpath)
    dframes = _renderers(dpath)[0]
    n = min(frames, len(tgt), len(drv))
    stab = {False: EditStabilizer(30.0), True: EditStabilizer(30.0)}
    tracks = {"old": _Retracker(), "new": _Retracker()}
    meas = {"drv": [], "old": [], "new": []}
    outs = {"old": [], "new": []}
    sharp = {"old": [], "new": []}
    drv_seq, tgt_seq, kept = [], [], []
    lids = {"old": [], "new": []}  # eye-box luma of each kept frame, at the edited landmarks
    t0 = time.perf_counter()
    for t in range(n):
        got = {}
        for key, retarget, r in (("old", False, old_r), ("new", True, new_r)):
            pair = _reenacted(tgt, drv, t, t, retarget, stab[retarget])
            if pair is None:
                break
            got[key] = _render(r, FrameRequest(t, cf.get(t), pair[0], pair[1], clip=tgt))
            lids[key].append(eye_luma(got[key], pair[1].landmarks))
        if len(got) < 2 or drv.face(t) is None:
            for v in lids.values():
                del v[len(kept) :]
            continue
        d_lm = drv.tracks.face.raw_landmarks
        meas["drv"].append(_measures(d_lm[t] if d_lm is not None else drv.face(t).landmarks))
        real = cf.get(t)
        box = face_box(tgt.face(t).landmarks, real.shape[:2])
        for key, img in got.items():
            lm = tracks[key](img)
            meas[key].append(_measures(lm) if lm is not None else np.full(3, np.nan))
            sharp[key].append(sharpness(img[box]) / max(sharpness(real[box]), 1e-6))
            outs[key].append(img)
        drv_seq.append(dframes.get(t))
        tgt_seq.append(real)
        kept.append(t)
    seconds = time.perf_counter() - t0
    d = np.array(meas["drv"])
    res: dict = {"target": target, "driver": driver, "frames": len(kept)}
    for key in ("old", "new"):
        m = np.array(meas[key])
        for j, ch in enumerate(("mouth", "smile", "eyes")):
            ok = np.isfinite(m[:, j]) & np.isfinite(d[:, j])
            res[f"corr_{ch}_{key}"] = (
                round(float(np.corrcoef(m[ok, j], d[ok, j])[0, 1]), 3) if ok.sum() > 2 else None
            )
        res[f"sharp_{key}"] = round(float(np.mean(sharp[key])), 3)
    e_drv, e_tgt = warping_error(iter(drv_seq)), warping_error(iter(tgt_seq))
    for key in ("old", "new"):
        e = warping_error(iter(outs[key]))
        res[f"ewarp_ratio_{key}"] = round(e / e_drv, 3)  # against the driver's own video
        res[f"ewarp_vs_target_{key}"] = round(e / e_tgt, 3)  # against the target's own video
    res["render_s_per_frame_both"] = round(seconds / max(len(kept), 1), 3)
    closed = -d[:, 2] < CLOSED_SHARE * np.median(-d[:, 2])  # the driver's closed-eye frames
    own = closed_eye_luma(tgt, cf)
    res["closed_eye_frames"] = int(closed.sum())
    res["target_closed_eye_luma"] = None if own is None else [round(v, 3) for v in own]
    for key in ("old", "new"):
        lum = np.array(lids[key])[closed]
        span = [round(float(lum.min()), 3), round(float(lum.max()), 3)] if len(lum) else None
        res[f"closed_eye_luma_{key}"] = span
        if own is not None and len(lum):
            res[f"closed_eyes_in_range_{key}"] = round(float(np.mean((lum >= own[0]) & (lum <= own[1]))), 3)
    if sheet:
        _extremes_sheet(sheet, d, kept, drv_seq, cf, outs, drv)
    return res


def _crop(image: np.ndarray, lm: np.ndarray, size: int = 220) -> np.ndarray:
    box = face_box(lm, image.shape[:2], 0.08)
    c = image[box]
    return cv2.resize(
        c, (size, int(round(size * c.shape[0] / max(c.shape[1], 1)))), interpolation=cv2.INTER_AREA
    )


def _row(images: list[np.ndarray]) -> np.ndarray:
    h = max(im.shape[0] for im in images)
    return np.concatenate(
        [np.pad(im, ((0, h - im.shape[0]), (0, 2), (0, 0)), constant_values=1.0) for im in images], 1
    )


def _save(path: str, rows: list[np.ndarray]) -> None:
    w = max(r.shape[1] for r in rows)
    sheet = np.concatenate(
        [np.pad(r, ((0, 2), (0, w - r.shape[1]), (0, 0)), constant_values=1.0) for r in rows]
    )
    cv2.imwrite(path, cv2.cvtColor((np.clip(sheet, 0, 1) * 255).astype(np.uint8), cv2.COLOR_RGB2BGR))


def _extremes_sheet(path, d, kept, drv_seq, cf, outs, drv) -> None:
    """Rows at the driver's widest mouth, most closed eye, largest head turn:
    driver / target / today's warp / new."""
    yaw = [
        abs(float(np.degrees(np.arctan2(drv.face(t).head_pose[0, 2], drv.face(t).head_pose[2, 2]))))
        for t in kept
    ]
    picks = [int(np.nanargmax(d[:, 0])), int(np.nanargmax(d[:, 2])), int(np.argmax(yaw))]
    rows = []
    for i in picks:
        t = kept[i]
        lm_t = drv.face(t).landmarks
        tgt_img = cf.get(t)
        rows.append(
            _row(
                [
                    _crop(drv_seq[i], lm_t),
                    *(_crop(im, _face_lm(tgt_img)) for im in (tgt_img, outs["old"][i], outs["new"][i])),
                ]
            )
        )
    _save(path, rows)


def _face_lm(image: np.ndarray) -> np.ndarray:
    """A fixed crop for a target frame: its tracked box (re-detected)."""
    lm = _Retracker()(image)
    h, w = image.shape[:2]
    return lm if lm is not None else np.array([[0, 0], [w, h]], np.float32)


def edits(name: str, frames: tuple[int, ...] = (20, 60, 100), sheet: str | None = None) -> dict:
    """jaw_open / smile / blink edits on a few frames: brightest-decile check, sharpness ratio."""
    from render_core.contract import FrameRequest
    from render_core.edits.face_ops import edit_face
    from render_core.warp.mouth_retrieval import INNER
    from render_core.warp.shape_index import ShapeIndex

    path, clip = _clip(name)
    cf, old_r, new_r = _renderers(path)
    index = ShapeIndex.from_clip(clip)

    def bright(image, poly):
        m = np.zeros(image.shape[:2], np.uint8)
        cv2.fillPoly(m, [np.round(poly).astype(np.int32)], 1)
        lum = image[cv2.erode(m, np.ones((3, 3), np.uint8)) > 0] @ LUMA
        return float(np.sort(lum)[-max(1, len(lum) // 10) :].mean()) if len(lum) else float("nan")

    opened = index.open_mouth_frames()
    real = [
        bright(cf.get(int(u)), clip.face(int(u)).landmarks[list(INNER), :2])
        for u in opened[:: max(1, len(opened) // 12)]
    ]
    span = [round(min(real), 3), round(max(real), 3)] if real else None
    res: dict = {"clip": name, "open_mouth_frames": len(opened), "real_bright_range": span}
    kinds = {
        "jaw_open 1.0": {"jaw_open": 1.0},
        "jaw_open 0.5": {"jaw_open": 0.5},
        "smile 0.6": {"smile": 0.6},
        "eyes closed": {"blink_left": 1.0, "blink_right": 1.0},
    }
    rows, sharp, brights = [], {"old": [], "new": []}, {"old": [], "new": []}
    for t in frames:
        face = clip.face(t)
        frame = cf.get(t)
        for label, kw in kinds.items():
            edit = edit_face(face, clip.neutral_head, {"expression": ExpressionParams(**kw)})
            req = FrameRequest(t, frame, face, edit, clip=clip)
            old, new = _render(old_r, req), _render(new_r, req)
            if label == "jaw_open 1.0":
                poly = edit.landmarks[list(INNER), :2]
                brights["old"].append(bright(old, poly))
                brights["new"].append(bright(new, poly))
            if label == "jaw_open 0.5":
                box = face_box(face.landmarks, frame.shape[:2])
                for key, im in (("old", old), ("new", new)):
                    sharp[key].append(sharpness(im[box]) / max(sharpness(frame[box]), 1e-6))
            if t == frames[0] or label.startswith("jaw_open 1"):
                rows.append(_row([_crop(im, face.landmarks) for im in (frame, old, new)]))
    for key in ("old", "new"):
        res[f"bright_{key}"] = [round(b, 3) for b in brights[key]]
        res[f"sharp_jaw05_{key}"] = round(float(np.mean(sharp[key])), 3)
    if real:
        res["bright_in_range_new"] = all(min(real) <= b <= max(real) for b in brights["new"])
    res["warnings"] = new_r.report().get("warnings", [])
    if sheet:
        _save(sheet, rows)
    return res


def run(args=None, ctx=None, out_dir: str | None = None, frames: int = 60) -> dict:
    from render_core.paths import user_cache_dir

    out = Path(out_dir) if out_dir else user_cache_dir() / "bench" / "reenact"
    out.mkdir(parents=True, exist_ok=True)
    print(f"report and contact sheets: {out}", flush=True)
    report: dict = {"edits": [], "self": [], "cross": []}
    for name in ("d18", "d9", "d19"):
        report["edits"].append(edits(name, sheet=str(out / f"edits_{name}.png")))
        print(json.dumps(report["edits"][-1]), flush=True)
    for name in ("d18", "d9"):
        report["self"].append(self_reenactment(name, frames))
        print(json.dumps(report["self"][-1]), flush=True)
    for tgt, drv in (("d18", "d9"), ("d9", "d18")):
        report["cross"].append(
            cross_reenactment(tgt, drv, frames + 90, sheet=str(out / f"reenact_{drv}_drives_{tgt}.png"))
        )
        print(json.dumps(report["cross"][-1]), flush=True)
    (out / "report.json").write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    run(out_dir=sys.argv[1] if len(sys.argv) > 1 else None)
