"""What a training run is refused for before any work starts (the CLI's `train` and the
studio's training dialog both end in `train_model`, which asks this first).

Why here and not in each family: a budget that trains nothing, a `--resume` with nothing to
resume and a clip too short to split are the same mistakes for every family, and each used to
surface late: an untrained model registered as the project's renderer, a silent fresh start, or
a numpy error from an empty training set.
"""

from __future__ import annotations

import math
from pathlib import Path

from render_core.errors import InputError
from render_core.training import checkpoint as ckpt
from render_core.training.device import check_device

# One training frame, a guard-band frame and one held-out frame (`split.heldout_split`).
MIN_TRAIN_FRAMES = 3


def check_budget(steps: int | None, minutes: float | None) -> None:
    """InputError unless the budget trains at least one step: steps >= 1, minutes finite > 0."""
    if steps is not None and steps < 1:
        raise InputError(None, f"--steps {steps}: a run needs at least 1 step")
    if minutes is not None and not (math.isfinite(minutes) and minutes > 0):
        raise InputError(None, f"--minutes {minutes}: give a time budget above 0 minutes")


def check_resume(out_dir: Path, resume: bool) -> None:
    """InputError naming `out_dir` when asked to resume but no checkpoint is there."""
    if resume and ckpt.resolve(out_dir) is None:
        raise InputError(out_dir, "no checkpoint to resume from (train without --resume to start one)")


def check_clip_length(clip: Path, max_frames: int | None) -> None:
    """InputError naming `clip` when it (or its first `max_frames`) is too short to split into
    training and held-out frames: a still or a one-frame clip."""
    from render_core.media.probe import probe

    n = probe(clip).frame_count
    usable = n if max_frames is None else min(n, max_frames)
    if usable < MIN_TRAIN_FRAMES:
        what = f"{usable} of its frames" if max_frames is not None and max_frames < n else f"{n} frame(s)"
        raise InputError(
            clip,
            f"too short to train on ({what}): a model needs at least {MIN_TRAIN_FRAMES} frames, "
            "some to learn from and some held out to measure it",
        )


def check_run(cfg) -> None:
    """Everything above for a `trainer.TrainConfig`, before data loading starts."""
    check_device(cfg.device)
    check_budget(cfg.steps, cfg.minutes)
    if not cfg.distributed:  # under torchrun the first start and each restart share one command
        check_resume(Path(cfg.out_dir), cfg.resume)  # line: --resume without a checkpoint starts
    if not cfg.tracks:  # given tracks may cover a clip the probe cannot read here
        for clip in cfg.clips:
            if Path(clip).suffix != ".json":  # an image set's capture: checked when it was read
                check_clip_length(Path(clip), cfg.max_frames)
