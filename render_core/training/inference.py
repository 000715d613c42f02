"""Opening a trained model's checkpoint for rendering: weights, its preset config, a device.
Shared by every family's renderer so they load checkpoints the same way."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from render_core.training import checkpoint as ckpt
from render_core.training.device import DeviceInfo, select_device
from render_core.training.presets import config_from_json
from render_core.training.weight_average import prefer_averaged


@dataclass
class InferenceCheckpoint:
    checkpoint: Any  # ckpt.load_checkpoint result: tensors + meta
    meta: dict
    cfg: Any  # the family's preset config as trained
    dev: DeviceInfo


def open_checkpoint(
    checkpoint_dir: str | Path, config_type: type, device: str = "auto"
) -> InferenceCheckpoint:
    """Load `checkpoint_dir`, rebuild the config (of class `config_type`) it was trained with,
    choose a device. A model's weight average, where the checkpoint has one, stands in for its
    trained weights."""
    ck = ckpt.load_checkpoint(checkpoint_dir)
    ck.models = prefer_averaged(ck.models)
    return InferenceCheckpoint(
        ck, ck.meta, config_from_json(config_type, ck.meta["config"]), select_device(device)
    )
