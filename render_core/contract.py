"""The render contract: what the pipeline asks of a renderer (classical `warp` or a trained
family's) and what a renderer answers.

The pipeline resolves the edit timeline into tracked and edited states per frame and asks the
chosen renderer for the new pixels; compositing, temporal stabilization and encoding are the
pipeline's job, so a renderer only answers "what does this frame look like with these edits".
A renderer declares the edit kinds it renders (`kinds`) and the per-frame notes it reports
(`notes`); the pipeline summarizes notes generically, so a family adds its own without a change
to the pipeline or the studio.
Images: float32 RGB in [0, 1], (H, W, 3), at the full frame size of the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from render_core.states import BodyState, CameraState, FaceState


class ClipHistory(Protocol):
    """What a renderer may ask of the whole target clip (`render.sources.ClipTracks`)."""

    def face_crop(self, t: int, alpha: float, slack: float, detected: bool = True, scale: float = 1.0):
        """The clip's stabilized face crop at frame t (`families.portrait.crop.CropParams`)."""


@dataclass(frozen=True)
class FrameRequest:
    """Everything a renderer may use for frame `index`.

    frame: (H, W, 3) float32 RGB [0, 1], the original decoded frame.
    face / body / camera: the tracked state (None where not tracked or invalid at this frame).
    face_edit / body_edit / camera_edit: the edited state to render (None = not edited).
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
    camera: CameraState | None = None
    camera_edit: CameraState | None = None


@dataclass(frozen=True)
class RenderedFrame:
    """image: (H, W, 3) float32 RGB [0, 1]. mask: (H, W) float32 [0, 1], where the renderer
    changed pixels (the compositor feathers it and pastes `image` over the original there).
    notes: per-frame measurements the renderer declares in `Renderer.notes` (name -> value),
    e.g. a trained model's distance from everything it was trained on."""

    image: np.ndarray
    mask: np.ndarray
    notes: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class NoteSpec:
    """How the pipeline summarizes one per-frame note: frames whose value exceeds `threshold`
    are flagged. Summary keys: `max_key` (largest value), `count_key` (flagged frames),
    `runs_key` (flagged [first, last] runs); `warning` is formatted with `count`, `total` and
    `spans` when any frame is flagged."""

    name: str
    threshold: float
    max_key: str
    count_key: str
    runs_key: str
    warning: str


class Renderer(Protocol):
    """A renderer family instance (a loaded model, or the classical warp)."""

    name: str
    temporal: bool  # True when it has its own temporal model (then the pipeline does not stabilize)
    kinds: frozenset[str]  # the edit kinds it renders (edits.params kinds)
    notes: tuple[NoteSpec, ...]  # the per-frame notes its results carry
    synthesizes: bool  # True when its pixels come from a network (colours matched to the frame)

    def reset(self) -> None:
        """Forget temporal state: the next request starts a new sequence."""

    def render(self, request: FrameRequest) -> RenderedFrame:
        """The edited frame. Called in frame order within a sequence.

        Optional, where a family can use them: `batch_size` and `render_batch(requests)` (the
        same frames as `render` one by one, computed together), `context_frames` and
        `prime(requests)` (the requests of the frames just before a sequence's first one: a
        renderer whose state needs no earlier outputs starts as if it had rendered them), and
        `report()` -> {"warnings": [...]} after a render (what the clip lacked for the edits,
        e.g. a mouth it never opens), merged into the export's summary."""
