"""Colour: clips decode with their own YCbCr matrix and range, exports are encoded with the
source's matrix and tagged, and the conversion is unbiased (known values, hand-made planes)."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from render_core.media.colour import ColourTags
from render_core.media.decode import VideoReader
from render_core.media.encode import VideoWriter

RGB = np.array([200.0, 30.0, 60.0])
KR_KB = {"709": (0.2126, 0.0722), "601": (0.299, 0.114)}


def ycbcr(rgb: np.ndarray, matrix: str, full: bool = False) -> np.ndarray:
    """The textbook Y'CbCr of an RGB colour (8-bit, limited range unless `full`)."""
    kr, kb = KR_KB[matrix]
    r, g, b = rgb / 255
    y = kr * r + (1 - kr - kb) * g + kb * b
    cb, cr = (b - y) / (2 * (1 - kb)), (r - y) / (2 * (1 - kr))
    if full:
        return np.array([255 * y, 128 + 255 * cb, 128 + 255 * cr])
    return np.array([16 + 219 * y, 128 + 224 * cb, 128 + 224 * cr])


def flat_clip(path, matrix: str, tag: int | None, full: bool = False, size=(64, 64)) -> None:
    """A lossless H.264 clip of one flat colour, its planes written by hand (not by swscale)."""
    w, h = size
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=25, options={"qp": "0"})
        s.width, s.height, s.pix_fmt = w, h, "yuvj420p" if full else "yuv420p"
        if tag is not None:
            cc = s.codec_context
            cc.colorspace, cc.color_primaries, cc.color_trc = tag, tag, tag
            cc.color_range = 2 if full else 1
        yv = np.round(ycbcr(RGB, matrix, full)).astype(np.uint8)
        for k in range(3):
            f = av.VideoFrame(w, h, "yuvj420p" if full else "yuv420p")
            for plane, v in zip(f.planes, yv, strict=True):
                plane.update(np.full(plane.line_size * plane.height, v, np.uint8).tobytes())
            f.pts = k
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)


@pytest.mark.parametrize(
    ("matrix", "tag", "size", "full"),
    [
        ("709", 1, (64, 64), False),  # tagged BT.709 (most camera and phone footage)
        ("601", 6, (64, 64), False),  # tagged SMPTE 170M
        ("601", None, (64, 64), False),  # untagged SD: players assume BT.601
        ("709", None, (1280, 720), False),  # untagged HD: players assume BT.709
        ("601", 6, (64, 64), True),  # full range (yuvj, as some phones write)
    ],
)
def test_a_clip_decodes_with_its_own_matrix_and_range(tmp_path, matrix, tag, size, full):
    clip = tmp_path / "flat.mp4"
    flat_clip(clip, matrix, tag, full, size)
    with VideoReader(clip) as r:
        got = r.read(1)[size[1] // 2, size[0] // 2].astype(float)
    assert np.abs(got - RGB).max() <= 1.5, got  # PyAV's default read BT.601 for every clip


def gradient(h: int = 72, w: int = 96) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return np.stack([x * 255 / w, y * 255 / h, 255 - (x + y) * 255 / (w + h)], -1).astype(np.uint8)


@pytest.mark.parametrize("matrix", ["ITU709", "ITU601"])
def test_export_is_tagged_with_its_sources_matrix_and_round_trips_unbiased(tmp_path, matrix):
    src = gradient()
    out = tmp_path / "x.mp4"
    colour = ColourTags(matrix, primaries=1 if matrix == "ITU709" else 6, transfer=1)
    with VideoWriter(out, Fraction(25), 96, 72, crf=0, preset="ultrafast", colour=colour) as w:
        w.write(src)
    with av.open(str(out)) as c:
        cc = c.streams.video[0].codec_context
        assert (cc.colorspace, cc.color_range) == ((1 if matrix == "ITU709" else 6), 1)
        assert cc.color_primaries == colour.primaries and cc.color_trc == 1
    with VideoReader(out) as r:
        back = r.read(0).astype(float)
    diff = back - src
    # 4:2:0 chroma costs some precision; the old fast conversion lost 2.1 levels, biased -1.2
    assert np.abs(diff).mean() < 0.6 and np.abs(diff.reshape(-1, 3).mean(0)).max() < 0.3, diff.mean()


def test_the_fast_reader_for_tracking_keeps_the_matrix(tmp_path):
    clip = tmp_path / "flat.mp4"
    flat_clip(clip, "709", 1)
    with VideoReader(clip, exact_colour=False) as r:
        assert np.abs(r.read(0)[32, 32] - RGB).max() <= 2.5  # flat colour: no chroma interpolation
