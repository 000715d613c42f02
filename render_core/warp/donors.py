"""Choosing the clip frames that lend an edited face its mouth interior and eyelids.

The clip's shapes are indexed once (`shape_index`, landmarks only); a donor frame is decoded on
demand (`clip_frames`, a small bounded cache). What the clip cannot give is remembered as a note
the export summary and the studio show once (e.g. a clip that never opens its mouth: the opened
mouth is shaded instead).
"""

from __future__ import annotations

import numpy as np

from render_core.contract import FrameRequest
from render_core.geometry.head_space import to_head_space
from render_core.states import FaceState
from render_core.warp.clip_frames import ClipFrames
from render_core.warp.donor import Donor
from render_core.warp.mouth_retrieval import opening_grew, opening_shrank
from render_core.warp.shape_index import ShapeIndex, eye_opening

EYE_CLOSING = 0.8  # edited / source eye opening below which the eye is filled from a donor

NO_OPEN_MOUTH = (
    "the clip never shows an open mouth, so mouths opened by an edit are shaded, not filled with "
    "the person's own teeth; a clip where the person talks or smiles with teeth gives a real interior"
)
NO_BLINK = (
    "the clip never shows the eyes closed, so eyes closed by an edit get shaded lids, not the "
    "person's own; a clip where the person blinks gives real eyelids"
)


def _head(face: FaceState) -> np.ndarray:
    return to_head_space(face.landmarks, face.head_pose, face.focal, face.principal)


class DonorPicker:
    """Donor frames for a clip's edited faces (one clip at a time: the renderer's target)."""

    def __init__(self, frames: ClipFrames) -> None:
        self.frames = frames
        self.notes: list[str] = []
        self._clip = None
        self._index: ShapeIndex | None = None
        self._last: dict[str, int] = {}  # the previous frame's donors ("mouth", "eye0", "eye1")

    def reset(self) -> None:
        """A new sequence: donors are chosen afresh."""
        self._last.clear()

    def index(self, clip) -> ShapeIndex | None:
        """The clip's shape index, built on first use (None without a face track)."""
        if clip is None or getattr(clip, "tracks", None) is None or clip.tracks.face is None:
            return None
        if clip is not self._clip:
            self._clip, self._index = clip, ShapeIndex.from_clip(clip)
        return self._index

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def _donor(self, clip, frame: int, request: FrameRequest) -> Donor | None:
        row = frame - clip.start
        h, w = request.frame.shape[:2]
        image = self.frames.get(frame, (w, h))
        if image is None:
            return None
        points = clip.tracks.face.landmarks[row, :, :2] * np.float32(request.scale)
        return Donor(image, points.astype(np.float32), frame)

    def mouth(self, request: FrameRequest) -> Donor | None:
        """The donor for an edited mouth opened wider than the source frame's (or closing one
        the source shows open), or None."""
        face, edit = request.face, request.face_edit
        if face is None or edit is None:
            return None
        src, dst = face.landmarks[:, :2], edit.landmarks[:, :2]
        grew = opening_grew(src, dst)
        if not grew and not opening_shrank(src, dst):
            return None
        index = self.index(request.clip)
        if index is None:
            return None
        rot = np.asarray(edit.head_pose, np.float64)[:3, :3]
        key = "mouth" if grew else "lips"  # an opening to fill, or closed lips to show
        frame = index.mouth_donor(_head(edit), rot, self._last.get(key), open_only=grew)
        if frame is None:
            if grew:
                self._note(NO_OPEN_MOUTH)
            return None
        self._last[key] = frame
        return self._donor(request.clip, frame, request)

    def eyes(self, request: FrameRequest) -> tuple[Donor | None, Donor | None]:
        """Per eye [subject's left, right]: the donor for an eye the edit closes, or opens
        wider than the frame shows it, or None."""
        face, edit = request.face, request.face_edit
        if face is None or edit is None:
            return None, None
        before, after = eye_opening(_head(face)), eye_opening(_head(edit))
        closing = after < EYE_CLOSING * before
        opening = before < EYE_CLOSING * after
        if not (closing | opening).any():
            return None, None
        index = self.index(request.clip)
        if index is None:
            return None, None
        rot = np.asarray(edit.head_pose, np.float64)[:3, :3]
        out: list[Donor | None] = [None, None]
        for side in np.flatnonzero(closing | opening):
            frame = index.eye_donor(int(side), float(after[side]), rot, self._last.get(f"eye{side}"))
            if frame is None:
                if closing[side] and not index.blinks(int(side)):
                    self._note(NO_BLINK)
                continue
            self._last[f"eye{side}"] = frame
            out[side] = self._donor(request.clip, frame, request)
        return out[0], out[1]
