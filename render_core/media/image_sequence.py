"""PNG sequence writer with the same contract as `encode.VideoWriter`: frames in, atomic out.

Frames are written into `<folder>.part/` and the folder is renamed into place on `close()`;
`abort()` removes it, so a cancelled export never leaves a half sequence under the final name.
An existing folder is replaced only when it holds nothing but an earlier sequence of the same
name (what re-exporting makes); any other content makes it refuse, since replacing means
deleting. Files are `<folder name>_<frame:06d>.png`, numbered from `first_number` (the clip
frame the export starts at, so a VFX tool lines them up with the source). Every file carries
the export's metadata as PNG text chunks (the "synthetically edited" tag included); the
sequence's Content Credentials sit beside them in `manifest.c2pa`.
"""

from __future__ import annotations

import re
import shutil
import struct
import zlib
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from render_core.errors import InputError, file_system_error
from render_core.media.encode import FrameWriter
from render_core.media.frames import checked_frame

PNG_SIGNATURE_AND_IHDR = 8 + 25  # the signature, then the IHDR chunk (13 data bytes + 12)
MANIFEST_NAME = "manifest.c2pa"  # the sequence's Content Credentials, beside its frames
COMPRESSION = 1  # zlib level: fastest; the files stay lossless (level 9 is ~3x slower, ~10% smaller)


def text_chunk(key: str, text: str) -> bytes:
    """A PNG tEXt chunk (Latin-1 keyword and text, as the PNG spec defines it)."""
    data = key.encode("latin-1") + b"\0" + text.encode("latin-1", "replace")
    return struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", zlib.crc32(b"tEXt" + data))


def encode_png(image_rgb: np.ndarray, metadata: dict[str, str]) -> bytes:
    """(H, W, 3) uint8 RGB -> PNG bytes with `metadata` as tEXt chunks after the header."""
    ok, buf = cv2.imencode(".png", image_rgb[..., ::-1], [cv2.IMWRITE_PNG_COMPRESSION, COMPRESSION])
    if not ok:
        raise RuntimeError("PNG encoding failed")
    png = buf.tobytes()
    chunks = b"".join(text_chunk(k.capitalize(), v) for k, v in metadata.items())
    return png[:PNG_SIGNATURE_AND_IHDR] + chunks + png[PNG_SIGNATURE_AND_IHDR:]


class ImageSequenceWriter(FrameWriter):
    """Write frames one by one; see the module docstring for the folder contract."""

    def __init__(
        self,
        folder: str | Path,
        fps: Fraction,
        width: int,
        height: int,
        first_number: int = 0,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.path = Path(folder)
        self.fps = Fraction(fps)
        self.width, self.height = int(width), int(height)
        self.first_number = int(first_number)
        self.metadata = dict(metadata or {})
        self.frames_written = 0
        check_replaceable(self.path)
        self._tmp = self.path.with_name(self.path.name + ".part")
        shutil.rmtree(self._tmp, ignore_errors=True)  # left by a crash: never the user's folder
        self._tmp.mkdir(parents=True)

    def file_name(self, number: int) -> str:
        return f"{self.path.name}_{number:06d}.png"

    def write(self, frame: np.ndarray) -> None:
        """Append one frame: (height, width, 3) RGB, uint8 or float [0, 1]."""
        image = checked_frame(frame, self.width, self.height)
        name = self.file_name(self.first_number + self.frames_written)
        try:
            (self._tmp / name).write_bytes(encode_png(image, self.metadata))
        except OSError as exc:  # disk full, drive gone: name the output, not its temporary
            raise (file_system_error(exc, self.path) or exc) from None
        self.frames_written += 1

    def close(self) -> None:
        """Move the finished sequence into place (replacing an earlier export of it)."""
        if self._tmp is None:
            return
        try:
            self._finish(self._tmp)
        except BaseException:
            self.abort()
            raise
        old = self.path.with_name(self.path.name + ".old")
        if self.path.exists():
            check_replaceable(self.path)  # again: the folder may have changed while rendering
            shutil.rmtree(old, ignore_errors=True)
            self.path.rename(old)
        self._tmp.rename(self.path)
        self._tmp = None
        shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        """Discard everything written: the final folder is left as it was."""
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


def check_replaceable(folder: Path) -> None:
    """InputError unless `folder` is absent, empty, or only an earlier sequence of this name."""
    if folder.exists() and not folder.is_dir():
        raise InputError(folder, "exists and is not a folder; a PNG sequence needs a folder")
    if not folder.is_dir():
        return
    own = re.compile(re.escape(folder.name) + r"_\d{6}\.png")
    others = [p.name for p in folder.iterdir() if not own.fullmatch(p.name) and p.name != MANIFEST_NAME]
    if others:
        raise InputError(
            folder,
            f"holds other files ({others[0]}{', ...' if len(others) > 1 else ''}); "
            "a PNG sequence replaces only an earlier sequence: choose a new or empty folder",
        )
