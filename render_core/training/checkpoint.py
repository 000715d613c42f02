"""Checkpoints: a directory with model.safetensors, optim.safetensors and model.json. No pickle.

Optimizer state is flattened to tensors (`<opt>/<param idx>/<key>`) in optim.safetensors and
its param groups go to model.json. Saving writes `<dir>.new`, verifies it loads, moves the old
checkpoint to `<dir>.prev`, renames the new one into place, then deletes `.prev`: at every
moment a complete, loadable checkpoint exists under `<dir>` or `<dir>.prev`.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from render_core.errors import InputError
from render_core.io_atomic import write_text_atomic

MODEL_FILE, OPTIM_FILE, META_FILE = "model.safetensors", "optim.safetensors", "model.json"


@dataclass
class Checkpoint:
    """meta: family, preset, config, resolution, train_clips, step, wall_time_s, device, metrics."""

    models: dict[str, dict[str, torch.Tensor]]
    optim: dict[str, dict]
    meta: dict = field(default_factory=dict)


def _flatten_models(models: dict[str, nn.Module]) -> dict[str, torch.Tensor]:
    return {
        f"{name}.{k}": v.detach().to("cpu").contiguous()
        for name, m in models.items()
        for k, v in m.state_dict().items()
    }


def _flatten_optim(opts: dict[str, torch.optim.Optimizer]) -> tuple[dict[str, torch.Tensor], dict]:
    tensors, groups = {}, {}
    for name, opt in opts.items():
        sd = opt.state_dict()
        for pid, st in sd["state"].items():
            for key, val in st.items():
                tensors[f"{name}/{pid}/{key}"] = torch.as_tensor(val).detach().to("cpu").contiguous()
        groups[name] = sd["param_groups"]
    return tensors, groups


def save_checkpoint(path: str | Path, models: dict[str, nn.Module], opts: dict, meta: dict) -> Path:
    """Write a checkpoint directory atomically; returns its path."""
    final = Path(path)
    new, prev = final.with_name(final.name + ".new"), final.with_name(final.name + ".prev")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    save_file(_flatten_models(models), str(new / MODEL_FILE))
    opt_tensors, groups = _flatten_optim(opts)
    save_file(opt_tensors, str(new / OPTIM_FILE))
    write_text_atomic(new / META_FILE, json.dumps({**meta, "optim_groups": groups}, indent=1, default=str))
    load_checkpoint(new)  # verify before replacing the last good one
    if final.exists():
        shutil.rmtree(prev, ignore_errors=True)
        final.rename(prev)
    new.rename(final)
    shutil.rmtree(prev, ignore_errors=True)
    return final


def resolve(path: str | Path) -> Path | None:
    """The loadable checkpoint dir for `path` (falls back to `.prev` after a crash mid-swap)."""
    p = Path(path)
    for cand in (p, p.with_name(p.name + ".prev")):
        if (cand / META_FILE).exists() and (cand / MODEL_FILE).exists():
            return cand
    return None


def load_checkpoint(path: str | Path) -> Checkpoint:
    p = resolve(path)
    if p is None:
        raise InputError(path, "no checkpoint here (model.safetensors + model.json)")
    try:
        meta = json.loads((p / META_FILE).read_text())
        flat = load_file(str(p / MODEL_FILE))
        opt_flat = load_file(str(p / OPTIM_FILE)) if (p / OPTIM_FILE).exists() else {}
    except (OSError, ValueError, json.JSONDecodeError) as e:
        raise InputError(p, f"unreadable checkpoint ({e.__class__.__name__}: {e})") from None
    models: dict[str, dict[str, torch.Tensor]] = {}
    for k, v in flat.items():
        name, key = k.split(".", 1)
        models.setdefault(name, {})[key] = v
    groups = meta.pop("optim_groups", {})
    optim = {name: {"state": {}, "param_groups": g} for name, g in groups.items()}
    for k, v in opt_flat.items():
        name, pid, key = k.split("/", 2)
        optim[name]["state"].setdefault(int(pid), {})[key] = v
    return Checkpoint(models, optim, meta)


def restore(ck: Checkpoint, models: dict[str, nn.Module], opts: dict | None = None) -> None:
    """Load weights (and optimizer state when `opts` is given) into built modules."""
    for name, m in models.items():
        m.load_state_dict(ck.models[name])
    for name, opt in (opts or {}).items():
        if name in ck.optim:
            sd = ck.optim[name]
            for g in sd["param_groups"]:
                if "betas" in g:
                    g["betas"] = tuple(g["betas"])
            opt.load_state_dict(sd)
