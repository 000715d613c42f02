"""Portrait training data: one clip + its face track -> cached crops and conditioning maps.

Frames are decoded once, sequentially; each valid frame is cropped with the stabilized
transform and its (S, S, 9) conditioning rendered. Both are cached in memory as uint8 (bounded
by `max_train_frames`: at 128 px a frame costs 196 KB), so memory never grows with clip length
past that cap: a longer clip keeps runs of consecutive frames spread over all of it
(`split.select_frames`). The clip's last 10% are held out, and the half second before them is not trained on.

Convention: crops (N, S, S, 3) uint8 RGB; maps (N, S, S, 9) uint8 (shaded|corr|gaze);
`frames[i]` is the clip frame index of cached sample i; windows are built over cached samples
and start no earlier than the sample's run of consecutive frames (`run_start`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from render_core.errors import InputError
from render_core.families.portrait.crop import CropTransform, clip_crops
from render_core.families.portrait.maps import FaceMapRenderer, correspondence_colors, fit_light
from render_core.families.portrait.window import stack_window, window_indices
from render_core.jobs import JobContext
from render_core.tracking.face import iris_centres
from render_core.tracking.steady import centred_rows
from render_core.tracking.tracks import FaceTrack, Tracks
from render_core.training.inputs import check_covers
from render_core.training.split import gap_frames, select_frames, tracks_fps


@dataclass
class PortraitData:
    clip: Path
    clip_hash: str
    track: FaceTrack
    frames: np.ndarray  # (N,) clip frame indices
    crops: np.ndarray  # (N, S, S, 3) uint8
    maps: np.ndarray  # (N, S, S, 9) uint8
    transforms: list[CropTransform]
    colors: np.ndarray  # (478, 3) correspondence colours
    light: np.ndarray  # (3, 4)
    train: np.ndarray  # positions into the cache
    heldout: np.ndarray
    n_w: int
    frame_hw: tuple[int, int]
    run_start: np.ndarray | None = None  # (N,) first cached sample of each sample's run
    # Cached sample -> (S, S, 9) uint8 maps of the steadied landmarks (`tracking.steady`), for
    # the held-out samples and the window frames before them: what the renderer would see.
    steady_maps: dict[int, np.ndarray] = field(default_factory=dict)
    # (N, 478, 3) crop px: the detected landmarks of each cached sample (the warp input's source
    # and target geometry), and the steadied ones of the samples in `steady_maps`.
    landmarks_crop: np.ndarray | None = None
    steady_landmarks: dict[int, np.ndarray] = field(default_factory=dict)
    # Where the final held-out report writes its contact sheet of edited frames (None: nowhere).
    sheet_path: Path | None = None

    def window(self, pos: int, steady: bool = False) -> np.ndarray:
        """(9 * N_w, S, S) float32 [0, 1] conditioning window ending at cached sample `pos`
        (with `steady`, from the steadied maps where there are some, as the renderer does)."""
        start = 0 if self.run_start is None else int(self.run_start[pos])
        idx = window_indices(pos, self.n_w, start)
        maps = [self.steady_maps.get(i, self.maps[i]) if steady else self.maps[i] for i in idx]
        return stack_window(maps).astype(np.float32) / 255.0

    def inside(self, pos: int) -> np.ndarray:
        """(S, S) bool: the crop pixels of cached sample `pos` that come from inside the frame
        (all of them where the frame size is unknown)."""
        if min(self.frame_hw) <= 0:
            return np.ones(self.crops.shape[1:3], bool)
        return self.transforms[int(pos)].inside(self.frame_hw)

    def batch(
        self, positions: np.ndarray, device: torch.device, steady: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """-> (windows (B, 9N_w, S, S) in [0, 1], targets (B, 3, S, S) in [-1, 1])."""
        x = torch.from_numpy(np.stack([self.window(int(p), steady) for p in positions]))
        y = torch.from_numpy(self.crops[positions]).permute(0, 3, 1, 2).float() / 127.5 - 1.0
        return x.to(device), y.to(device)


def reference_face(track: FaceTrack, lm_crops: np.ndarray) -> np.ndarray:
    """The fixed face the correspondence colours come from (as in the paper, a canonical face):
    geometry.canonical_face when available, else the median crop-space face of the clip."""
    try:
        from render_core.geometry.canonical_face import canonical_face

        return np.asarray(canonical_face(), np.float64)
    except (ImportError, OSError):
        return np.median(lm_crops, axis=0)


def _decode(clip: Path, idx: np.ndarray, transforms: list, ctx: JobContext) -> np.ndarray:
    """The crops of clip frames `idx` (ascending): only those frames are converted, and the
    reader seeks over long gaps between the kept runs instead of decoding through them."""
    from render_core.media.decode import VideoReader

    out = []
    with VideoReader(clip) as reader:
        if len(idx):
            check_covers(clip, len(reader), int(idx[-1]))
        for k, i in enumerate(idx):
            out.append(transforms[int(i)].crop(reader.read(int(i))))
            if k % 10 == 0:
                ctx.step(k, len(idx), f"decoding {clip.name}")
    return np.stack(out)


def load_portrait_data(
    clip: Path,
    tracks: Tracks,
    size: int,
    n_w: int,
    max_frames: int,
    ctx: JobContext,
    clip_hash: str = "",
    crop_alpha: float = 0.25,
    crop_slack: float = 0.0,
    limit: int | None = None,
) -> PortraitData:
    """Decode, crop and render conditioning for at most `max_frames` valid frames of `clip`
    (of its first `limit` frames where given), spread over the whole clip."""
    if tracks.face is None or not tracks.face.valid.any():
        raise InputError(clip, "no face was tracked in this clip")
    f = tracks.face
    detected = f.detected  # before smoothing: smoothed landmarks lag the pixels they condition
    transforms = clip_crops(detected, f.valid, size, crop_alpha, crop_slack)
    ok = np.array([v and t is not None for v, t in zip(f.valid, transforms, strict=True)])
    gap = gap_frames(tracks_fps(tracks.meta))
    sel = select_frames(ok[:limit] if limit else ok, max_frames, gap=gap, context=n_w - 1)
    idx = sel.frames
    crops = _decode(clip, idx, transforms, ctx.sub(0.0, 0.7))
    lms = np.stack([transforms[i].points(detected[i]) for i in idx])
    iris = np.stack([transforms[i].points(iris_centres(detected[i])) for i in idx])
    colors = correspondence_colors(reference_face(f, lms[sel.train]))
    renderer = FaceMapRenderer(size, colors)
    light = _fit_clip_light(renderer, lms, crops, sel.train)
    renderer.light = light
    maps = np.empty((len(idx), size, size, 9), np.uint8)
    sub = ctx.sub(0.7, 1.0)
    for k in range(len(idx)):
        maps[k] = _maps(renderer, lms[k], iris[k])
        if k % 10 == 0:
            sub.step(k, len(idx), "rendering conditioning")
    h, w = tracks.meta.get("height", 0), tracks.meta.get("width", 0)
    steady, steady_lm = _steady_maps(renderer, f, idx, [transforms[i] for i in idx], sel.heldout, n_w)
    return PortraitData(
        clip,
        clip_hash,
        f,
        idx,
        crops,
        maps,
        [transforms[i] for i in idx],
        colors,
        light,
        sel.train,
        sel.heldout,
        n_w,
        (int(h), int(w)),
        sel.run_start,
        steady,
        lms,
        steady_lm,
    )


def _steady_maps(
    renderer: FaceMapRenderer, f: FaceTrack, idx: np.ndarray, transforms: list, heldout: np.ndarray, n_w: int
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Maps (and crop landmarks) of the steadied detected landmarks for the held-out samples and
    the N_w - 1 samples before them (their windows reach back): the held-out report scores what
    the renderer would output. Empty without detected landmarks (the model then conditions on
    the smoothed ones)."""
    if f.raw_landmarks is None or len(heldout) == 0:
        return {}, {}
    first, last = max(0, int(heldout.min()) - (n_w - 1)), int(heldout.max())
    lo, hi = int(idx[first]), int(idx[last])
    steady = centred_rows(f.raw_landmarks, f.valid, lo, hi - lo + 1)
    out, points = {}, {}
    for pos in range(first, last + 1):
        lm, t = steady[int(idx[pos]) - lo], transforms[pos]
        points[pos] = t.points(lm)
        out[pos] = _maps(renderer, points[pos], t.points(iris_centres(lm)))
    return out, points


def _maps(renderer: FaceMapRenderer, lm_crop: np.ndarray, iris_crop: np.ndarray) -> np.ndarray:
    """(S, S, 9) uint8 conditioning maps (the cache keeps them as bytes: 4x less memory)."""
    return np.round(renderer.render(lm_crop, iris_crop) * 255).astype(np.uint8)


def _fit_clip_light(
    renderer: FaceMapRenderer, lms: np.ndarray, crops: np.ndarray, train: np.ndarray
) -> np.ndarray:
    """Per-clip lighting: one least-squares fit over up to 8 training frames spread over the clip."""
    pick = train[np.linspace(0, len(train) - 1, min(8, len(train))).astype(int)]
    normals = [renderer.normals_image(lms[k], renderer.raster(lms[k])) for k in pick]
    return fit_light(normals, [crops[k].astype(np.float32) / 255.0 for k in pick])
