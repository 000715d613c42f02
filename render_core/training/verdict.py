"""What a finished model's held-out report says to its user in one line, where it says
something they must know before rendering through it.

Why: a personal model trained for minutes can render its clip's held-out frames worse than the
baseline its report compares it with (the landmark warp for faces, the nearest training pose
for bodies); an edit through it then looks worse than the classical renderer's. The CLI's
`train` summary and the studio's model library show the same line.
"""

from __future__ import annotations

from collections.abc import Mapping

BELOW_BASELINE_DB = 0.0  # held-out PSNR below the baseline's by more than this is reported


def below_baseline(metrics: Mapping[str, object]) -> str | None:
    """One line when the held-out PSNR lies below the baseline's, else None (no report: None)."""
    psnr, base = metrics.get("psnr"), metrics.get("baseline_psnr")
    if not isinstance(psnr, int | float) or not isinstance(base, int | float):
        return None
    if psnr >= base - BELOW_BASELINE_DB:
        return None
    return (
        f"held-out frames score {psnr:.2f} dB against the baseline's {base:.2f} dB: the warp renderer"
        " draws this clip better for now; train longer, or keep the warp renderer for its edits"
    )
