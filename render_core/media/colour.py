"""Which YCbCr matrix and range a clip's pixels use, so decoding and encoding agree with players.

Why: PyAV's default conversion decodes every clip with the BT.601 matrix, whatever its tags, and
encodes BT.601 without tagging it. Most camera and phone footage is BT.709: the studio showed
its colours shifted against any other player, and an SD export of a BT.709 clip came out
untagged, which players read as BT.601. Now a clip is decoded with its tagged matrix (untagged:
BT.709 from 720 lines up, else BT.601, the convention players follow), and an export is encoded
with its source's matrix and tagged with it, so untouched pixels keep their source values.

A quirk this works around: PyAV's reformatter applies a colour matrix only when the source and
destination colorspaces differ, and a converter keeps the details of its first call. So each
reader and writer owns one converter, always called with the same arguments, and the side of a
conversion that is RGB (where the matrix means nothing) is given the other matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import av
import numpy as np
from av.video.reformatter import VideoReformatter

# ffmpeg's AVColorSpace numbers -> swscale's matrix names (PyAV's Colorspace)
MATRIX_OF_TAG = {1: "ITU709", 4: "FCC", 5: "ITU601", 6: "ITU601", 7: "SMPTE240M"}
TAG_OF_MATRIX = {"ITU709": 1, "FCC": 4, "ITU601": 6, "SMPTE240M": 7}
UNSPECIFIED = 2
JPEG_RANGE = 2  # AVColorRange: 1 = limited (MPEG, "TV"), 2 = full (JPEG)
HD_LINES = 720


@dataclass(frozen=True)
class ColourTags:
    """matrix: swscale's name of the YCbCr matrix; full_range: 0-255 luma instead of 16-235;
    primaries / transfer: the clip's AVColorPrimaries / AVColorTransferCharacteristic tags
    (2 = unspecified), carried over to an export unchanged since pixels are not re-graded."""

    matrix: str = "ITU709"
    full_range: bool = False
    primaries: int = UNSPECIFIED
    transfer: int = UNSPECIFIED

    @property
    def other(self) -> str:
        """A different matrix name, given to the RGB side of a conversion (see module doc)."""
        return "ITU601" if self.matrix == "ITU709" else "ITU709"

    @property
    def range_name(self) -> str:
        return "JPEG" if self.full_range else "MPEG"


def default_matrix(height: int) -> str:
    """What players assume for an untagged clip."""
    return "ITU709" if height >= HD_LINES else "ITU601"


def stream_colour(stream: av.video.stream.VideoStream) -> ColourTags:
    """A video stream's colour tags, with the players' convention where they are missing."""
    cc = stream.codec_context
    tag = int(cc.colorspace or UNSPECIFIED)
    matrix = MATRIX_OF_TAG.get(tag) or default_matrix(int(cc.height or 0))
    full = int(cc.color_range or 0) == JPEG_RANGE or (cc.pix_fmt or "").startswith("yuvj")
    return ColourTags(matrix, full, int(cc.color_primaries or UNSPECIFIED), int(cc.color_trc or UNSPECIFIED))


def export_colour(source: ColourTags | None, height: int) -> ColourTags:
    """An export's tags: its source's matrix and primaries / transfer, in limited range (what
    H.264 and ProRes deliveries use); without a source, what players assume at `height`."""
    if source is None:
        return ColourTags(default_matrix(height))
    return ColourTags(source.matrix, False, source.primaries, source.transfer)


# swscale flags. Its fast YCbCr -> RGB path interpolates 4:2:0 / 4:2:2 chroma coarsely and
# rounds down (about a level darker and greener); full chroma interpolation and accurate
# rounding are unbiased, at about 4x the time (measurements: docs/performance.md). Encoding
# RGB -> YCbCr is exact with the defaults.
BILINEAR, AREA, FULL_CHROMA, ACCURATE_ROUNDING = 0x2, 0x20, 0x2000, 0x40000
EXACT = FULL_CHROMA | ACCURATE_ROUNDING


class RgbDecoder:
    """av frames -> uint8 RGB with one clip's matrix and range (one converter per clip).
    `exact`: the accurate conversion above (everything a user sees or a model learns); False
    for consumers that never show pixels (tracking), which keep the fast path."""

    def __init__(self, colour: ColourTags, exact: bool = True) -> None:
        self.colour = colour
        self.exact = exact
        self._sws = VideoReformatter()

    def __call__(self, frame: av.VideoFrame, size: tuple[int, int] | None = None) -> np.ndarray:
        w, h = size if size is not None else (frame.width, frame.height)
        c = self.colour
        out = self._sws.reformat(
            frame,
            w,
            h,
            "rgb24",
            src_colorspace=c.matrix,
            dst_colorspace=c.other,
            interpolation=(AREA if (w, h) != (frame.width, frame.height) else BILINEAR)
            | (EXACT if self.exact else 0),
            src_color_range=c.range_name,
            dst_color_range="JPEG",
        )
        return out.to_ndarray()


class YuvEncoder:
    """uint8 RGB -> av frames in `pix_fmt` with an export's matrix, limited range, tagged."""

    def __init__(self, colour: ColourTags, pix_fmt: str) -> None:
        self.colour = colour
        self.pix_fmt = pix_fmt
        self._sws = VideoReformatter()

    def __call__(self, rgb: np.ndarray) -> av.VideoFrame:
        c = self.colour
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        return self._sws.reformat(
            frame,
            format=self.pix_fmt,
            src_colorspace=c.other,
            dst_colorspace=c.matrix,
            src_color_range="JPEG",
            dst_color_range=c.range_name,
        )

    def tag(self, codec_context) -> None:
        """Write the matrix, range, primaries and transfer into the stream's headers."""
        c = self.colour
        codec_context.colorspace = TAG_OF_MATRIX[c.matrix]
        codec_context.color_range = JPEG_RANGE if c.full_range else 1
        codec_context.color_primaries = c.primaries
        codec_context.color_trc = c.transfer
