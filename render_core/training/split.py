"""Train / held-out split: the last 10% of a clip's frames (contiguous) are never trained on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Split:
    train: np.ndarray  # frame indices
    heldout: np.ndarray


def heldout_split(valid: np.ndarray, fraction: float = 0.1, min_heldout: int = 1) -> Split:
    """valid: (T,) bool. The last ceil(fraction * T) frames are held out; only valid frames kept."""
    t = len(valid)
    n_out = max(min_heldout, int(np.ceil(fraction * t)))
    cut = max(0, t - n_out)
    idx = np.arange(t)
    ok = np.asarray(valid, bool)
    return Split(idx[:cut][ok[:cut]], idx[cut:][ok[cut:]])
