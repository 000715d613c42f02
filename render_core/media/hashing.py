"""Content hash of a media file: the key of every per-clip cache (tracks, frames, models).

Hashing a 2 GB clip fully would take seconds, so the hash covers the file size plus three
sampled 1 MiB chunks (start, middle, end). Renaming or moving a clip keeps its hash; any
re-encode, trim or append changes the size or the sampled bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def content_hash(path: str | Path) -> str:
    """16 hex chars of sha256 over the size and the first, middle and last MiB of the file."""
    p = Path(path)
    size = p.stat().st_size
    h = hashlib.sha256(str(size).encode("ascii"))
    with open(p, "rb") as fh:
        for offset in sorted({0, max(0, size // 2 - CHUNK // 2), max(0, size - CHUNK)}):
            fh.seek(offset)
            h.update(fh.read(CHUNK))
    return h.hexdigest()[:16]
