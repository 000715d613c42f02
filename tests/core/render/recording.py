"""A renderer that records what the pipeline asks of it (tests of batching and sequences)."""

from __future__ import annotations

from render_core.contract import FrameRequest, RenderedFrame
from render_core.render.warp_renderer import WarpRenderer


class RecordingRenderer:
    """The warp renderer behind the batching interface; records what the pipeline asks."""

    name = "recording"
    temporal = True
    synthesizes = True
    kinds = WarpRenderer.kinds
    notes: tuple = ()

    def __init__(self, batch_size: int) -> None:
        self.batch_size, self.inner, self.events = batch_size, WarpRenderer(), []

    def reset(self) -> None:
        self.events.append("reset")

    def render(self, request: FrameRequest) -> RenderedFrame:
        self.events.append([request.index])
        return self.inner.render(request)

    def render_batch(self, requests: list[FrameRequest]) -> list[RenderedFrame]:
        self.events.append([r.index for r in requests])
        return [self.inner.render(r) for r in requests]
