"""The `body` renderer family: a trained Everybody Dance Now model behind the Renderer API.

Per frame: the edited (else tracked) joints are mapped into the checkpoint's fixed person crop,
drawn as a stick figure at the model resolution, fed to the generator together with its own
previous output (`BodySequencer`: the paper's temporal smoothing; `reset()` starts a new
sequence), then the generated crop is warped back into the full frame. A warp-guided model
(`warp_input`) also gets the frame with its person moved to the edited joints over the clip's
clean plate (the warp renderer's body path), cropped; its output's difference from that crop is
added to the full-resolution moved frame, so the pixels the model kept stay at the clip's detail.
The soft mask covers the person: the tracker's segmentation of the original person, grown a
little (so the old pose is painted over to its outline), united with the dilated hull of the
generated stick figure, feathered, and limited to the crop. Each frame reports how far its pose
is from every training pose (the `pose_novelty` note), from the pose bank the checkpoint
keeps. An export hands over `batch_size` frames at a time (`render_batch`): a worker thread
moves and masks each frame before the generator draws it and composes it after, while the
generator draws the next.

Convention: FrameRequest images float32 RGB [0, 1] (H, W, 3); joints (33, 4) frame px. The crop
stored in the checkpoint is in px of the training clip's frames (`frame_size` (w, h)); a request
frame of another size (a preview at a lower resolution) rescales the crop by the width ratio.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from render_core.contract import FrameRequest, RenderedFrame
from render_core.families.body.config import EDIT_KINDS, BodyConfig
from render_core.families.body.data import PersonCrop, pose_image
from render_core.families.body.generators import build_generators
from render_core.families.body.inference import BodySequencer
from render_core.families.body.novelty import POSE_NOVELTY, bank_from_json, novelty
from render_core.families.body.stick_figure import body_scale
from render_core.families.body.warp_input import warp_to
from render_core.models.cpu_inference import pack_for_cpu
from render_core.training import checkpoint as ckpt
from render_core.training.inference import open_checkpoint
from render_core.warp.body import disk_grown
from render_core.warp.clean_plate import clip_plate

HULL_DILATE = 0.35  # the stick figure's hull grows by this fraction of the torso length (hair, clothes)
MASK_FEATHER = 0.02  # Gaussian feather (sigma) of the model-space mask, as a fraction of the crop height
# The original person's segmentation grows by this fraction of the crop height (frame px) before
# it is painted over: its soft edge otherwise leaves a thin outline of the old pose (seen on
# transfers as the contour of a shoe beside the new legs).
PERSON_GROW = 0.015


def crop_for_frame(crop: PersonCrop, frame_size: tuple[int, int], wh: tuple[int, int]) -> PersonCrop:
    """The training crop (in px of frames `frame_size` (w, h)) for frames of size `wh` (w, h)."""
    if frame_size[0] <= 0 or frame_size[0] == wh[0]:
        return crop
    k = wh[0] / frame_size[0]
    return PersonCrop(crop.x0 * k, crop.y0 * k, crop.s / k, crop.h, crop.w)


def figure_mask(pose: np.ndarray, torso_px: float) -> np.ndarray:
    """(H, W) float32 [0, 1]: the convex hull of the drawn stick figure `pose` (H, W, 3), grown
    by `HULL_DILATE` x the torso length and feathered; zeros for an empty figure."""
    h, w = pose.shape[:2]
    ys, xs = np.nonzero(pose.max(axis=2) > 0.05)
    if len(xs) < 3:
        return np.zeros((h, w), np.float32)
    hull = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(np.stack([xs, ys], 1).astype(np.int32)), 1)
    grow = max(1, int(round(HULL_DILATE * max(torso_px, 4.0))))
    m = disk_grown(hull, grow).astype(np.float32)
    return cv2.GaussianBlur(m, (0, 0), MASK_FEATHER * h)


def grow_mask(mask: np.ndarray, radius_px: float, box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """(H, W) float32 [0, 1] mask dilated by `radius_px` (its soft edge moves outward whole),
    only inside `box` (x0, y0, x1, y1; zeros elsewhere) when given. A square kernel: separable,
    so several times faster than an elliptical one at 1080p (docs/performance.md)."""
    r = int(round(radius_px))
    if r < 1:
        return mask
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * r + 1, 2 * r + 1))
    mask = np.asarray(mask, np.float32)
    if box is None:
        return cv2.dilate(mask, kernel)
    h, w = mask.shape
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    out = np.zeros_like(mask)
    if x1 > x0 and y1 > y0:
        # the margin lets mask just outside the box grow into it
        mx0, my0, mx1, my1 = max(0, x0 - r), max(0, y0 - r), min(w, x1 + r), min(h, y1 + r)
        grown = cv2.dilate(mask[my0:my1, mx0:mx1], kernel)
        out[y0:y1, x0:x1] = grown[y0 - my0 : y1 - my0, x0 - mx0 : x1 - mx0]
    return out


def crop_box(crop: PersonCrop) -> tuple[int, int, int, int]:
    """The crop's frame-px rectangle (x0, y0, x1, y1), rounded outward."""
    x1, y1 = crop.x0 + crop.w / crop.s, crop.y0 + crop.h / crop.s
    return int(np.floor(crop.x0)), int(np.floor(crop.y0)), int(np.ceil(x1)), int(np.ceil(y1))


def uncrop(image: np.ndarray, crop: PersonCrop, wh: tuple[int, int]) -> np.ndarray:
    """Model-space (h, w[, C]) float32 -> frame size `wh` (w, h); zeros outside the crop."""
    return cv2.warpAffine(
        image,
        crop.matrix(),
        wh,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )


class BodyRenderer:
    """A body checkpoint's generator (+ face stage when it was trained) with its temporal state."""

    name = "body"
    temporal = True
    synthesizes = True
    kinds = EDIT_KINDS
    notes = (POSE_NOVELTY,)
    batch_size = 8  # frames an export hands over at once: the preparing overlaps the generator

    def __init__(self, checkpoint_dir: str | Path, device: str = "auto") -> None:
        opened = open_checkpoint(checkpoint_dir, BodyConfig, device)
        ck, self.meta, self.cfg, self.dev = opened.checkpoint, opened.meta, opened.cfg, opened.dev
        g, f = build_generators(self.cfg)
        use_face = int(ck.meta.get("face_steps", 0)) > 0
        modules = {"G": g, "F": f} if use_face else {"G": g}
        ckpt.restore(ck, modules)
        for m in modules.values():
            m.to(self.dev.device).eval()
        self.crop = PersonCrop(**ck.meta["crop"])
        self.frame_size = tuple(int(v) for v in ck.meta.get("frame_size", (0, 0)))
        # The training frames' poses; checkpoints from before it was kept report no novelty.
        bank = ck.meta.get("pose_bank")
        self.pose_bank = bank_from_json(bank) if bank else None
        face = pack_for_cpu(f) if use_face else None
        self.sequencer = BodySequencer(pack_for_cpu(g), face, self.dev.device)
        self._pool: ThreadPoolExecutor | None = None

    def reset(self) -> None:
        self.sequencer.reset()

    def warped_frame(self, request: FrameRequest, edit: np.ndarray) -> np.ndarray:
        """The request's frame with its person moved to `edit` (33, 4) frame px over the clip's
        clean plate: the warp renderer's body path, the warp-guided generator's input."""
        frame = request.frame
        if request.body is None or request.person_mask is None:
            return frame
        tracks = getattr(request.clip, "tracks", None)
        plate = clip_plate(tracks) if tracks is not None else None
        image = plate.at(frame.shape[:2])[0] if plate is not None else None
        return warp_to(frame, request.person_mask, request.body.joints, edit, image)

    def render(self, request: FrameRequest) -> RenderedFrame:
        prep = self._prepare(request)
        return self._compose(request, prep, self._generate(prep))

    def render_batch(self, requests: list[FrameRequest]) -> list[RenderedFrame]:
        """Consecutive frames of one sequence. The generator runs on this thread, in order (it
        feeds its own output back); a worker thread prepares each frame (moved to its pose,
        masked) ahead of it and composes each generated crop into its frame behind it, so on
        two cores the numpy halves of a frame overlap the generator (docs/performance.md)."""
        if len(requests) < 2:
            return [self.render(r) for r in requests]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="body-prepare")
        prepared = [self._pool.submit(self._prepare, r) for r in requests]
        composed = []
        with _torch_threads(max(1, torch.get_num_threads() - 1)):  # one core prepares and composes
            for r, f in zip(requests, prepared, strict=True):
                prep = f.result()
                composed.append(self._pool.submit(self._compose, r, prep, self._generate(prep)))
        return [f.result() for f in composed]

    def _prepare(self, request: FrameRequest) -> _Prepared | None:
        """Everything of a frame before the generator: None where the frame has no pose."""
        frame = request.frame
        state = request.body_edit or request.body
        if state is None or not np.isfinite(state.joints[:, :2]).any():
            return None
        wh = (frame.shape[1], frame.shape[0])
        crop = crop_for_frame(self.crop, self.frame_size, wh)
        mj = crop.joints(state.joints)
        warped = self.warped_frame(request, state.joints) if self.cfg.warp_input else None
        pose = pose_image(mj, self.crop)
        figure = uncrop(figure_mask(pose, body_scale(np.nan_to_num(mj))), crop, wh)
        inside = uncrop(np.ones((crop.h, crop.w), np.float32), crop, wh)
        person = 0.0
        if request.person_mask is not None:
            box = crop_box(crop)
            person = grow_mask(request.person_mask, PERSON_GROW * crop.h / crop.s, box)
        mask = np.clip(np.maximum(figure, person) * inside, 0.0, 1.0).astype(np.float32)
        return _Prepared(crop, wh, mj, pose, warped, None if warped is None else crop.image(warped), mask)

    def _generate(self, prep: _Prepared | None) -> np.ndarray | None:
        """The generator's crop for a prepared frame, in sequence order (its temporal state
        restarts at a frame without a pose)."""
        if prep is None:
            self.reset()
            return None
        return self.sequencer.step(prep.pose, prep.mj, prep.warped_crop)

    def _compose(
        self, request: FrameRequest, prep: _Prepared | None, out: np.ndarray | None
    ) -> RenderedFrame:
        """The generated crop `out` composed over the prepared frame."""
        frame = request.frame
        if prep is None or out is None:
            return RenderedFrame(frame, np.zeros(frame.shape[:2], np.float32))
        if prep.warped is None:
            image = uncrop(out, prep.crop, prep.wh)
        else:  # the frame's own pixels at full detail where the model kept the warp
            image = prep.warped + uncrop(out - prep.warped_crop, prep.crop, prep.wh)
        mask = prep.mask[..., None]
        composed = frame * (1 - mask) + image * mask
        notes = {}
        if self.pose_bank is not None:
            notes["pose_novelty"] = float(novelty(prep.mj[None], self.pose_bank)[0])
        return RenderedFrame(composed.astype(np.float32), prep.mask, notes)


@dataclass(frozen=True)
class _Prepared:
    """A frame ready for the generator: its crop, the pose in model px and as a stick figure,
    the frame moved to the pose (full size and cropped; None without warp input), the mask."""

    crop: PersonCrop
    wh: tuple[int, int]
    mj: np.ndarray
    pose: np.ndarray
    warped: np.ndarray | None
    warped_crop: np.ndarray | None
    mask: np.ndarray


@contextmanager
def _torch_threads(n: int):
    """torch's intra-op threads set to `n` inside the block (a process-wide setting)."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def load_renderer(checkpoint_dir: str | Path, device: str = "auto") -> BodyRenderer:
    """The body renderer for a checkpoint directory written by `train body`."""
    return BodyRenderer(checkpoint_dir, device)
