"""Signing an export's manifest into the file (MP4 / MOV) or beside its frames (PNG sequence).

Signing runs on the finished temporary output (`*.part`) just before it is moved into place,
so a cancelled or failed export never leaves a file, signed or not, under the final name.
MP4 and MOV carry the manifest inside (a `uuid` box; the hard binding is a BMFF hash of the
rest). A PNG sequence gets `manifest.c2pa` in its folder: a detached manifest bound to the
first frame by a data hash, listing every frame's sha256 under the signature.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from pathlib import Path

from render_core.io_atomic import write_bytes_atomic
from render_core.media.image_sequence import MANIFEST_NAME
from render_core.provenance.credentials import Credentials
from render_core.provenance.manifest import with_files

HASH_CHUNK = 1 << 20


def signer_for(creds: Credentials):
    """A c2pa ES256 signer over this install's key and chain."""
    import c2pa

    info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, creds.chain_pem, creds.key_pem, None)
    return c2pa.Signer.from_info(info)


def sign_video(path: Path, manifest: dict, creds: Credentials) -> None:
    """Embed the signed manifest in the MP4 / MOV at `path` (rewritten in place, atomically)."""
    import c2pa

    signed = path.with_name(f"{path.stem}.signing{path.suffix}")
    try:
        with c2pa.Builder(manifest) as builder, signer_for(creds) as signer:
            builder.sign_file(path, signed, signer)
        os.replace(signed, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            signed.unlink()


def frame_files(folder: Path) -> list[Path]:
    """The sequence's frames, in name (= frame number) order."""
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".png")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def sign_sequence(folder: Path, manifest: dict, creds: Credentials) -> Path:
    """Write `<folder>/manifest.c2pa` for the PNG frames in `folder`; returns its path."""
    import c2pa

    frames = frame_files(folder)
    if not frames:
        raise ValueError(f"{folder}: no PNG frames to sign")
    listed = with_files(manifest, [(p.name, file_sha256(p)) for p in frames])
    with c2pa.Builder(listed) as builder, signer_for(creds) as signer:
        builder.set_no_embed()
        with open(frames[0], "rb") as first:
            data = builder.sign(signer, "image/png", first, io.BytesIO())
    target = folder / MANIFEST_NAME
    write_bytes_atomic(target, data)
    return target
