"""The `portrait` renderer family: a trained Deep Video Portraits model behind the Renderer API.

Per frame: the stabilized crop of the *tracked* face (the same causal smoothing as training),
conditioning maps of the *edited* face in that crop, the space-time window of the last N_w
frames, the generator, then the crop pasted back with a soft mask over the (edited and
original) head region. The pipeline composites with colour matching; this renderer keeps its
own temporal state (the window), so `temporal = True`.

A warp-guided model (`warp_net.py`, config `warp_input`) also gets the request's own frame,
cropped and warped from the tracked to the edited landmarks (what the warp renderer does), and
returns a hallucinated image, a mask and a residual; they are composed over the frame warped at
its full size (`compose_full`), so the real pixels keep their detail where the warp is right.
Each rendered frame reports how far the asked-for face lies from the training faces
(the `face_novelty` note, `novelty.py`) where the checkpoint keeps a face bank.

`render_batch` renders consecutive requests with one generator pass: a frame's window holds
only conditioning (never earlier outputs), so the windows of the next frames can be built
before any of them is generated. Staging runs in request order (crop smoother, window), so a
batch gives the same frames as rendering one request at a time, about twice as fast per frame
at batch 8 (measurements: docs/performance.md).

Convention: FrameRequest images float32 RGB [0, 1] (H, W, 3); landmarks (478, 3) px.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from render_core.contract import FrameRequest, RenderedFrame
from render_core.families.portrait.config import EDIT_KINDS, PortraitPreset
from render_core.families.portrait.crop import CropSmoother, CropTransform, head_mask
from render_core.families.portrait.maps import FaceMapRenderer
from render_core.families.portrait.novelty import FACE_NOVELTY, bank_from_json, face_features, nearest_faces
from render_core.families.portrait.warp_input import edit_region
from render_core.families.portrait.warp_net import generator_for
from render_core.families.portrait.window import ConditioningWindow
from render_core.models.cpu_inference import pack_for_cpu
from render_core.states import FaceState
from render_core.tracking.face import IRIS_LEFT, IRIS_RIGHT, iris_centres
from render_core.training import checkpoint as ckpt
from render_core.training.inference import open_checkpoint
from render_core.warp.face import warp_face

BATCH_SIZE = 8  # frames per generator pass when the pipeline renders ahead (export)


@dataclass(frozen=True)
class StagedFrame:
    """A request ready for the generator: its crop, network input and crop-space mask."""

    transform: CropTransform
    window: np.ndarray  # (9 * N_w (+ 3: the warped crop), S, S) float32 [0, 1]
    mask_crop: np.ndarray  # (S, S) float32 [0, 1]
    # Warp-guided models: the request's frame warped from its tracked to its edited landmarks
    # at full size (H, W, 3) float32, which the output is composed over.
    warped_frame: np.ndarray | None = None


class PortraitRenderer:
    name = "portrait"
    temporal = True
    synthesizes = True
    kinds = EDIT_KINDS
    notes = (FACE_NOVELTY,)
    batch_size = BATCH_SIZE

    def __init__(self, checkpoint_dir: str | Path, device: str = "auto") -> None:
        opened = open_checkpoint(checkpoint_dir, PortraitPreset, device)
        ck, self.meta, self.cfg, self.dev = opened.checkpoint, opened.meta, opened.cfg, opened.dev
        # A checkpoint from before the warp input has no `warp_input` in its config: False.
        self.guided = bool(getattr(self.cfg, "warp_input", False))
        self.net = generator_for(self.cfg).to(self.dev.device, memory_format=self.dev.memory_format)
        self.net.eval()
        ckpt.restore(ck, {"G": self.net})
        self.net = pack_for_cpu(self.net)
        cond = ck.meta["conditioning"]
        size = self.cfg.resolution
        colors, light = np.array(cond["colors"], np.float32), np.array(cond["light"], np.float32)
        self.maps = FaceMapRenderer(size, colors, light)
        # Models trained on the landmarks as detected (before smoothing) are conditioned on them.
        self.raw = cond.get("landmarks") == "raw"
        # The training faces; checkpoints from before it was kept report no novelty.
        bank = ck.meta.get("face_bank")
        self.face_bank = bank_from_json(bank) if bank else None
        self.smoother = CropSmoother(self.cfg.crop_alpha, slack=self.cfg.crop_slack)
        self.window = ConditioningWindow(self.cfg.n_w)

    def reset(self) -> None:
        self.smoother.reset()
        self.window.reset()

    @torch.no_grad()
    def generate(self, windows: list[np.ndarray]) -> np.ndarray:
        """windows: B of (9 * N_w, S, S) float32 [0, 1] -> crops (B, S, S, 3) float32 [0, 1].
        The batch is assembled channels-last (the windows' own memory order) and stays so on
        the CPU: oneDNN convolves that layout without a reorder."""
        hwc = np.stack([w.transpose(1, 2, 0) for w in windows])  # (B, S, S, C)
        x = torch.from_numpy(hwc).permute(0, 3, 1, 2).to(self.dev.device)
        if self.dev.device.type != "cpu":
            x = x.contiguous(memory_format=self.dev.memory_format)
        with self.dev.autocast():
            if self.guided:  # hallucinated image, mask, residual: composed over the full-size warp
                h, m, r = self.net.heads(x)
                y = torch.cat([(h.float() + 1) / 2, m.float(), r.float() / 2], 1)
            else:
                y = (self.net(x).float().clamp(-1, 1) + 1) / 2
        return y.permute(0, 2, 3, 1).cpu().numpy()

    def render(self, request: FrameRequest) -> RenderedFrame:
        return self.render_batch([request])[0]

    def render_batch(self, requests: list[FrameRequest]) -> list[RenderedFrame]:
        """Consecutive requests of one sequence, in order -> their frames (one generator pass
        per `batch_size` frames)."""
        staged = [self.stage(r) for r in requests]
        ready = [s for s in staged if s is not None]
        crops: list[np.ndarray] = []
        for i in range(0, len(ready), self.batch_size):
            crops.extend(self.generate([s.window for s in ready[i : i + self.batch_size]]))
        out, k = [], 0
        for request, s in zip(requests, staged, strict=True):
            if s is None:
                out.append(RenderedFrame(request.frame, np.zeros(request.frame.shape[:2], np.float32)))
            else:
                gap = self.novelty(request)
                notes = {} if gap is None else {"face_novelty": gap}
                out.append(replace(self.finish(request, s, crops[k]), notes=notes))
                k += 1
        return out

    def novelty(self, request: FrameRequest) -> float | None:
        """How far the asked-for face lies from every training face (eye spans; None without a bank)."""
        state = request.face_edit or request.face
        if self.face_bank is None or state is None:
            return None
        feats = face_features(state.landmarks[None], state.head_pose[None], state.focal, state.principal)
        return float(nearest_faces(feats, self.face_bank)[0])

    @property
    def context_frames(self) -> int:
        """Earlier frames `prime` uses: the window's."""
        return self.cfg.n_w - 1

    def prime(self, requests: list[FrameRequest]) -> None:
        """Start a sequence as if the frames just before it had been rendered: their
        conditioning fills the window (no generator pass; their pixels are not read)."""
        self.reset()
        for r in requests:
            self.stage(r)

    def crop_params(self, request: FrameRequest):
        """The request's crop: the clip's own sequence where the request carries the clip's
        tracks (as in training, wherever the sequence starts), else smoothed from the
        sequence's first request."""
        face = request.face
        if face is None:
            return None
        if request.clip is not None:
            c = self.cfg
            return request.clip.face_crop(request.index, c.crop_alpha, c.crop_slack, self.raw, request.scale)
        return self.smoother.update(self.tracked_landmarks(face))

    def stage(self, request: FrameRequest) -> StagedFrame | None:
        """Advance the temporal state by one request; None (and a reset) where there is no face."""
        face = request.face
        params = self.crop_params(request)
        if params is None:
            self.reset()
            return None
        t = CropTransform(params, self.cfg.resolution)
        lm, iris = self.conditioning_face(face, request.face_edit or face)
        src, lm = t.points(face.landmarks), t.points(lm)
        window = self.window.push(self.maps.render(lm, t.points(iris)))
        mask = head_mask(np.concatenate([lm, src]), self.cfg.resolution)
        if not self.guided:
            return StagedFrame(t, window, mask)
        # The warp renderer's move, once per frame at full size: the network sees its crop and
        # the output is composed over it (warping the crop a second time cost a fifth of a frame).
        shown = request.face_edit or face
        edited = shown.landmarks
        spec = self.net.inputs
        warped = warp_face(request.frame, face.landmarks, edited, config=spec.warp)[0]
        size = self.cfg.resolution
        region = None
        if spec.region:
            moved_from = t.points(with_iris(face)) if spec.by_change else None
            region = edit_region(t.points(with_iris(shown)), size, moved_from)
        return StagedFrame(t, with_warped_crop(window, t.crop(warped), region), mask, warped)

    @staticmethod
    def finish(request: FrameRequest, staged: StagedFrame, crop: np.ndarray) -> RenderedFrame:
        """The generated crop pasted back into the request's frame under the soft head mask."""
        frame = request.frame
        hw = frame.shape[:2]
        if staged.warped_frame is None:
            image = staged.transform.uncrop(crop, hw)
        else:
            image = compose_full(frame, staged, crop)
        mask = staged.transform.uncrop(staged.mask_crop, hw)
        out = image - frame  # frame + (image - frame) * mask, in place: full-frame temporaries are costly
        out *= mask[..., None]
        out += frame
        return RenderedFrame(out.astype(np.float32, copy=False), mask.astype(np.float32, copy=False))

    def conditioning_face(self, face: FaceState, state: FaceState) -> tuple[np.ndarray, np.ndarray]:
        """(landmarks (478, 3), iris (2, 2)) px the model is conditioned on for the tracked `face`
        shown as `state`: the state's own where the model was trained on smoothed landmarks,
        else the detected landmarks, steadied without lag where the clip's tracks allow, moved
        by the edit's displacement (state minus tracked)."""
        if not self.raw or face.raw_landmarks is None:
            return state.landmarks, state.iris
        lm = face.raw_landmarks if face.steady_landmarks is None else face.steady_landmarks
        return lm + (state.landmarks - face.landmarks), iris_centres(lm) + (state.iris - face.iris)

    def tracked_landmarks(self, face: FaceState) -> np.ndarray:
        """The unedited landmarks that place the crop, as in training (the detected ones)."""
        return face.raw_landmarks if self.raw and face.raw_landmarks is not None else face.landmarks


def with_iris(state: FaceState) -> np.ndarray:
    """(478, 3) px: the state's landmarks with its iris centres in place, so an edit that moves
    only `iris` (a gaze edit may) opens its eyes' edit region too."""
    lm = np.array(state.landmarks, np.float32, copy=True)
    lm[[IRIS_LEFT, IRIS_RIGHT], :2] = np.asarray(state.iris, np.float32)[:, :2]
    return lm


def with_warped_crop(
    window: np.ndarray, warped_crop: np.ndarray, region: np.ndarray | None = None
) -> np.ndarray:
    """The window (9 * N_w, S, S) with the warped frame's crop (S, S, 3) appended as the
    generator's next three channels (and the edit region (S, S) last, where the model has one):
    (9 * N_w + 3 [+ 1], S, S), channels-last in memory."""
    parts = [window.transpose(1, 2, 0), warped_crop.astype(np.float32, copy=False)]
    if region is not None:
        parts.append(region[..., None].astype(np.float32, copy=False))
    return np.concatenate(parts, axis=-1).transpose(2, 0, 1)


def compose_full(frame: np.ndarray, staged: StagedFrame, crop: np.ndarray) -> np.ndarray:
    """A warp-guided model's output at the frame's own resolution: the frame warped to the edit
    at full size plus the residual, with the hallucinated image over it where the mask says
    (crop: (S, S, 7) hallucinated [0, 1], mask, residual in image units). Why: an upsampled crop
    is soft however good; the moved real pixels keep the frame's detail. (H, W, 3) float32."""
    hw, t = frame.shape[:2], staged.transform
    kept = staged.warped_frame.copy()
    kept += t.uncrop(np.ascontiguousarray(crop[..., 4:]), hw)
    out = t.uncrop(np.ascontiguousarray(crop[..., :3]), hw)
    m = t.uncrop(np.ascontiguousarray(crop[..., 3]), hw)
    out -= kept  # kept + m * (hallucinated - kept), in place
    out *= m[..., None]
    out += kept
    return np.clip(out, 0.0, 1.0, out=out)


def load_renderer(checkpoint_dir: str | Path, device: str = "auto") -> PortraitRenderer:
    """The portrait renderer for a checkpoint directory written by `train portrait`."""
    return PortraitRenderer(checkpoint_dir, device)
