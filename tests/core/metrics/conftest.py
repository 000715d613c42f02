from __future__ import annotations

import numpy as np
import pytest

from tests.core.metrics.sequences import real_texture


@pytest.fixture(scope="session")
def texture() -> np.ndarray:
    """(320, 320, 3) float32 RGB [0, 1]: d18's face region, else carphone upscaled, else synthetic."""
    return real_texture()
