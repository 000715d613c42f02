"""A donor: another frame of the clip whose pixels fill what an edited frame cannot show."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Donor:
    """image: (H, W, 3) float32 RGB [0, 1], the donor clip frame at the rendered frame's size;
    points: (478, 2) px, its tracked landmarks in that image; frame: its clip frame number."""

    image: np.ndarray
    points: np.ndarray
    frame: int
