"""The interface every renderer family implements (classical `warp`, neural `portrait`, `body`...).

The pipeline resolves the edit timeline into an edited face/body state per frame and asks the
chosen renderer for the new pixels; compositing, temporal stabilization and encoding are the
pipeline's job, so a renderer only answers "what does this frame look like with these edits".
Images: float32 RGB in [0, 1], (H, W, 3), at the full frame size of the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class FaceState:
    """One frame's face. landmarks: (478, 3) px; head_pose: (4, 4) camera-from-head;
    iris: (2, 2) px [subject's left, right]; focal px; principal (cx, cy) px; raw_landmarks:
    (478, 3) px of the tracked frame before temporal smoothing, or None; steady_landmarks:
    the same smoothed over neighbouring frames without lag (`tracking.steady`), or None.
    The portrait renderer conditions on the steady ones plus the edit's displacement."""

    landmarks: np.ndarray
    head_pose: np.ndarray
    iris: np.ndarray
    focal: float
    principal: tuple[float, float]
    raw_landmarks: np.ndarray | None = None
    steady_landmarks: np.ndarray | None = None


@dataclass(frozen=True)
class BodyState:
    """One frame's body. joints: (33, 4) (x px, y px, z relative px, visibility)."""

    joints: np.ndarray


class ClipHistory(Protocol):
    """What a renderer may ask of the whole target clip (`render.sources.ClipTracks`)."""

    def face_crop(self, t: int, alpha: float, slack: float, detected: bool = True, scale: float = 1.0):
        """The clip's stabilized face crop at frame t (`conditioning.face_crop.CropParams`)."""


@dataclass(frozen=True)
class FrameRequest:
    """Everything a renderer may use for frame `index`.

    frame: (H, W, 3) float32 RGB [0, 1], the original decoded frame.
    face / body: the tracked state (None where not tracked or invalid at this frame).
    face_edit / body_edit: the edited state to render (None = no edit of that part).
    person_mask: (H, W) float32 [0, 1] from the tracker's segmentation, or None.
    clip: the target clip's tracks (`render.sources.ClipTracks`) where the pipeline has them,
    for what depends on more than this frame (the portrait model's crop, placed from the
    clip's first frame on as in training); scale: the request frame's size / the tracks' size.
    """

    index: int
    frame: np.ndarray
    face: FaceState | None = None
    face_edit: FaceState | None = None
    body: BodyState | None = None
    body_edit: BodyState | None = None
    person_mask: np.ndarray | None = None
    clip: ClipHistory | None = None
    scale: float = 1.0


@dataclass(frozen=True)
class RenderedFrame:
    """image: (H, W, 3) float32 RGB [0, 1]. mask: (H, W) float32 [0, 1], where the renderer
    changed pixels (the compositor feathers it and pastes `image` over the original there).
    pose_novelty: for a model trained on one clip, how far the asked-for pose is from every
    training pose (`training.pose_novelty`, torso lengths); None where it does not apply.
    face_novelty: the same for a portrait model and the asked-for face (expression and head
    pose; `families.portrait.novelty`, eye spans)."""

    image: np.ndarray
    mask: np.ndarray
    pose_novelty: float | None = None
    face_novelty: float | None = None


class Renderer(Protocol):
    """A renderer family instance (a loaded model, or the classical warp)."""

    name: str
    temporal: bool  # True when it has its own temporal model (then the pipeline does not stabilize)

    def reset(self) -> None:
        """Forget temporal state: the next request starts a new sequence."""

    def render(self, request: FrameRequest) -> RenderedFrame:
        """The edited frame. Called in frame order within a sequence.

        Optional, where a family can use them: `batch_size` and `render_batch(requests)` (the
        same frames as `render` one by one, computed together), `context_frames` and
        `prime(requests)` (the requests of the frames just before a sequence's first one: a
        renderer whose state needs no earlier outputs starts as if it had rendered them)."""
