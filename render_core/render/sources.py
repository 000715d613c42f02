"""What the pipeline reads per frame besides pixels: the tracks of the target clip and of the
driving clips its layers reference, as `FaceState` / `BodyState` for one frame.

Convention: states are in pixels of the frame being rendered; `scale` < 1 maps full-size
tracks onto a downscaled preview frame (landmarks, iris, focal and principal point scale; the
head pose, in head units, does not).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from render_core.families.portrait.crop import CropParams, crop_sequence
from render_core.geometry.pose_normalization import NormalizationStats, median_smooth
from render_core.jobs import JobContext
from render_core.states import BodyState, CameraState, FaceState
from render_core.tracking.expression import head_space_sequence, neutral_index
from render_core.tracking.face import iris_centres
from render_core.tracking.head_pose import fit_head_pose
from render_core.tracking.steady import centred_rows
from render_core.tracking.track_clip import TrackConfig, track_clip
from render_core.tracking.tracks import Tracks

STEADY_BLOCK = 64  # track rows steadied at a time


@dataclass
class ClipTracks:
    """One clip's tracks plus the frame size they are in (w, h)."""

    tracks: Tracks
    size: tuple[int, int]
    start: int = 0  # clip frame of track row 0 (tracks of a sub-range)
    # Block index -> steadied landmarks of STEADY_BLOCK track rows: frames are asked for in order
    # (and each several times), so a block is smoothed in one vectorized pass; two blocks kept.
    _steady: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    # (alpha, slack, detected) -> the clip's whole causal crop sequence (see `face_crop`)
    _crops: dict[tuple, list] = field(default_factory=dict, repr=False, compare=False)

    @property
    def principal(self) -> tuple[float, float]:
        return (self.size[0] / 2.0, self.size[1] / 2.0)

    @property
    def fps(self) -> float | None:
        """The clip's frame rate from its tracks' metadata (None where it is not recorded)."""
        fps = self.tracks.meta.get("fps")
        return float(fps[0]) / float(fps[1]) if fps and float(fps[1]) else None

    def __len__(self) -> int:
        t = self.tracks
        return len(t.face) if t.face is not None else (len(t.body) if t.body is not None else 0)

    def face(self, t: int, scale: float = 1.0) -> FaceState | None:
        f, t = self.tracks.face, t - self.start
        if f is None or not 0 <= t < len(f) or not f.valid[t]:
            return None
        cx, cy = self.principal
        k = np.float32(scale)
        pp = (cx * scale, cy * scale)
        raw = steady = None
        if f.raw_landmarks is not None:
            raw = f.raw_landmarks[t] * k
            steady = self._steady_row(t) * k
        lm, iris = f.landmarks[t] * k, f.iris[t] * k
        return FaceState(lm, f.head_pose[t], iris, f.focal * scale, pp, raw, steady)

    def steady_face(self, t: int, scale: float = 1.0) -> FaceState | None:
        """The face at t on its detected landmarks steadied without lag (`tracking.steady`),
        with the head pose refitted to them and the irises taken from them: a driving
        performance's timing. Why: the tracked landmarks and pose come from a causal filter that
        trails the video by about a frame, so a reenactment driven by them would trail the
        driving clip's sound. Falls back to `face` where the raw detections were not kept."""

        s = self.face(t, scale)
        if s is None or s.steady_landmarks is None:
            return s
        lm = s.steady_landmarks
        return replace(
            s, landmarks=lm, head_pose=fit_head_pose(lm, s.focal, s.principal), iris=iris_centres(lm)
        )

    def face_crop(self, t: int, alpha: float, slack: float, detected: bool = True, scale: float = 1.0):
        """The stabilized face crop (`conditioning.face_crop.CropParams`) at frame t, smoothed
        from the clip's first frame on, as the portrait training data places it; None where
        there is none. `detected`: from the landmarks as detected (else the smoothed ones).
        Why: the smoother remembers ~1/alpha frames, so a crop restarted where an edit (or a
        preview jump) begins sits elsewhere than the one the model learned that frame in."""

        f, t = self.tracks.face, t - self.start
        if f is None or not 0 <= t < len(f):
            return None
        key = (alpha, slack, detected and f.raw_landmarks is not None)
        seq = self._crops.get(key)
        if seq is None:
            lm = f.raw_landmarks if key[2] else f.landmarks
            seq = self._crops[key] = crop_sequence(lm, f.valid, alpha, slack)
        p = seq[t]
        return None if p is None else CropParams(p.cx * scale, p.cy * scale, p.side * scale, p.roll)

    def _steady_row(self, t: int) -> np.ndarray:
        b = t // STEADY_BLOCK
        block = self._steady.get(b)  # (the studio's preview and export threads may share it)
        if block is None:
            if len(self._steady) >= 2:
                self._steady.clear()
            f = self.tracks.face
            block = self._steady[b] = centred_rows(f.raw_landmarks, f.valid, b * STEADY_BLOCK, STEADY_BLOCK)
        return block[t - b * STEADY_BLOCK]

    def body(self, t: int, scale: float = 1.0) -> BodyState | None:
        b, t = self.tracks.body, t - self.start
        if b is None or not 0 <= t < len(b) or not b.valid[t]:
            return None
        j = b.joints[t].copy()
        j[:, :3] *= scale
        return BodyState(j)

    def person_mask(self, t: int, size: tuple[int, int]) -> np.ndarray | None:
        """(h, w) float32 [0, 1] at `size` = (w, h), or None."""
        b, t = self.tracks.body, t - self.start
        return None if b is None or not 0 <= t < len(b) else b.mask(t, size)

    @cached_property
    def median_joints(self) -> np.ndarray | None:
        """The body track after the paper's 7-frame temporal median (transfer-time smoothing of
        a driving dancer's keypoints), (T, 33, 4) px; None without a body track."""

        b = self.tracks.body
        return None if b is None else median_smooth(b.joints, b.valid)

    def smoothed_body(self, t: int, scale: float = 1.0) -> BodyState | None:
        """Like `body`, from the median-smoothed track (None where the frame is invalid)."""
        b, j = self.tracks.body, self.median_joints
        if b is None or j is None or not 0 <= t - self.start < len(b) or not b.valid[t - self.start]:
            return None
        out = j[t - self.start].copy()
        if not np.isfinite(out[:, :2]).any():
            return None
        out[:, :3] *= scale
        return BodyState(out)

    @cached_property
    def pose_stats(self):
        """Global pose normalization statistics of this clip's body track (None without one)."""

        b = self.tracks.body
        return None if b is None or not b.valid.any() else NormalizationStats.from_joints(b.joints, b.valid)

    @cached_property
    def neutral_frame(self) -> int:
        """The clip frame the tracker picked as the subject's neutral face (the rest pose that
        relative motion is measured from); 0 without a face track."""

        f = self.tracks.face
        if f is None or not f.valid.any():
            return self.start
        hs = head_space_sequence(f.landmarks, f.valid, f.head_pose, f.focal, self.principal)
        n = neutral_index(hs, f.valid)
        return self.start + (n or 0)

    @cached_property
    def expression_range(self):
        """How far the face moves over the clip (`edits.retarget.ExpressionRange`): what a
        reenactment rescales a driver's expression by."""
        from render_core.edits.retarget import ExpressionRange
        from render_core.tracking.expression import head_space_sequence

        f = self.tracks.face
        if f is None or not f.valid.any():
            return ExpressionRange(0.0, 0.0, 0.0)
        return ExpressionRange.of(
            head_space_sequence(f.landmarks, f.valid, f.head_pose, f.focal, self.principal)
        )

    @property
    def neutral_head(self) -> np.ndarray | None:
        return None if self.tracks.face is None else self.tracks.face.neutral


@dataclass
class HeldClipTracks(ClipTracks):
    """A clip's tracks read past its last frame as that frame: the target's background plate is
    held when an output follows a longer driving clip's timebase (motion transfer)."""

    def _held(self, t: int) -> int:
        return min(t, self.start + len(self) - 1)

    def face(self, t: int, scale: float = 1.0) -> FaceState | None:
        return super().face(self._held(t), scale)

    def body(self, t: int, scale: float = 1.0) -> BodyState | None:
        return super().body(self._held(t), scale)

    def face_crop(self, t: int, alpha: float, slack: float, detected: bool = True, scale: float = 1.0):
        return super().face_crop(self._held(t), alpha, slack, detected, scale)

    def person_mask(self, t: int, size: tuple[int, int]) -> np.ndarray | None:
        return super().person_mask(self._held(t), size)

    @staticmethod
    def of(clip: ClipTracks) -> HeldClipTracks:
        return HeldClipTracks(clip.tracks, clip.size, clip.start)


@dataclass
class EditSources:
    """The target clip's tracks (None for an image set) and the driving clips' tracks by clip
    id. `output_fps`: the rate frames are asked for at; driving clips are read by time at it
    (`edits.settings`), frame for frame where it or a driving clip's rate is unknown."""

    target: ClipTracks | None
    driving: dict[str, ClipTracks] = field(default_factory=dict)
    output_fps: float | None = None
    # An image set's camera path, one camera per output frame (empty for a video clip).
    cameras: tuple[CameraState, ...] = ()

    def camera(self, t: int) -> CameraState | None:
        """The path's camera at frame t (None outside it or for a video clip)."""
        return self.cameras[t] if 0 <= t < len(self.cameras) else None


def track_for_render(clip: Path, project_dir: Path | None, ctx: JobContext) -> ClipTracks:
    """Tracks of a clip (from the cache when present), with the frame size they refer to."""

    res = track_clip(TrackConfig(clip=str(clip), project_dir=str(project_dir) if project_dir else None), ctx)
    meta = res.tracks.meta
    return ClipTracks(res.tracks, (int(meta["width"]), int(meta["height"])), int(meta.get("frame_start", 0)))


def load_sources(project, ctx: JobContext) -> EditSources:
    """Track (or load cached tracks of) the target and every driving clip a layer references."""
    driving_ids = sorted(
        {
            str(layer.settings["driving_clip"])
            for layer in project.timeline.layers
            if layer.enabled and "driving_clip" in layer.settings
        }
    )
    n = 1 + len(driving_ids)
    target = track_for_render(project.clip_path(project.target().id), project.folder, ctx.sub(0, 1 / n))
    driving = {
        cid: track_for_render(project.clip_path(cid), project.folder, ctx.sub((i + 1) / n, (i + 2) / n))
        for i, cid in enumerate(driving_ids)
    }
    return EditSources(target, driving)
