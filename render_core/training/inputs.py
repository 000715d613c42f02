"""What every family's training reads the same way: a clip's tracks, the frames the tracks
refer to, the optimizer, and the user's perceptual-loss hook."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import torch

from render_core.errors import InputError
from render_core.jobs import JobContext
from render_core.tracking.track_clip import TrackConfig, track_clip
from render_core.tracking.tracks import Tracks

# A user may set this to fn(fake, real) -> scalar loss (images as the family's generator outputs
# them); each family weighs it by its preset's perceptual weight. None: no perceptual term (no
# pretrained feature network can be downloaded here).
PERCEPTUAL_LOSS: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None


def training_tracks(run, index: int, ctx: JobContext, face: bool, body: bool) -> Tracks:
    """The tracks of the run's clip `index`: the given tracks file, else tracked now (cached in
    the run's project), with the parts the family trains on."""
    if run.tracks:
        return Tracks.load(run.tracks[index])
    project = str(run.project_dir) if run.project_dir else None
    cfg = TrackConfig(
        clip=str(run.clips[index]), project_dir=project, face=face, body=body, max_frames=run.max_frames
    )
    return track_clip(cfg, ctx).tracks


def check_covers(clip: Path, frame_count: int, last_frame: int) -> None:
    """InputError when the clip has fewer frames than its tracks refer to (a clip replaced or
    cut short after tracking)."""
    if last_frame >= frame_count:
        raise InputError(clip, f"clip ended before frame {last_frame} the tracks refer to")


def adam(params: Iterable[torch.nn.Parameter], cfg) -> torch.optim.Adam:
    """Adam at the preset's rate and beta1, with the fused kernel (one pass over the weights:
    about 4x less optimizer time on the CPU)."""
    return torch.optim.Adam(params, lr=cfg.lr, betas=(cfg.beta1, 0.999), fused=True)
