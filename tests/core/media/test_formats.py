"""Export formats: which format an output gets, and the writers' files (ProRes MOV, PNG sequence)."""

from __future__ import annotations

from fractions import Fraction

import av
import cv2
import numpy as np
import pytest

from render_core.errors import InputError
from render_core.media.decode import VideoReader
from render_core.media.encode import VideoWriter
from render_core.media.formats import FORMATS, format_for, with_format_suffix
from render_core.media.image_sequence import ImageSequenceWriter, encode_png


def test_the_extension_picks_the_format_and_a_mismatch_names_the_file(tmp_path):
    assert format_for(tmp_path / "a.mp4").name == "h264"
    assert format_for(tmp_path / "a.MOV").name == "prores"
    assert format_for(tmp_path / "a.mov", "h264").name == "h264"  # H.264 in MOV is fine
    assert format_for(tmp_path / "frames", "png").is_sequence
    for path, name, words in [
        ("a.mp4", "prores", "needs a file ending in .mov"),
        ("a.png", "png", "written to a folder"),
        ("a.avi", None, "needs a file ending in .mp4"),
        ("a.mp4", "gif", "unknown format"),
    ]:
        with pytest.raises(InputError) as e:
            format_for(tmp_path / path, name)
        assert path in str(e.value) and words in str(e.value)
    assert with_format_suffix(tmp_path / "x.mp4", FORMATS["prores"]).name == "x.mov"
    assert with_format_suffix(tmp_path / "x.mov", FORMATS["png"]).name == "x"
    assert with_format_suffix(tmp_path / "x", FORMATS["h264"]).name == "x.mp4"


def frames(n: int, h: int = 48, w: int = 64) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    return [np.roll(base, 3 * k, axis=1) for k in range(n)]


def smooth_frames(n: int, h: int = 48, w: int = 64) -> list[np.ndarray]:
    """Colour gradients moving sideways: content a camera gives (noise would test the chroma
    subsampling, not the codec)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return [
        np.stack([(x + 4 * k) * 255 / (w + 4 * n), y * 255 / h, 255 - (x + y) * 255 / (w + h)], -1).astype(
            np.uint8
        )
        for k in range(n)
    ]


def written_and_read(path, fmt, src) -> list[np.ndarray]:
    with VideoWriter(path, Fraction(25), 64, 48, metadata={"comment": "tagged"}, fmt=FORMATS[fmt]) as w:
        for f in src:
            w.write(f)
    with VideoReader(path) as r:
        return [r.read(i) for i in range(len(r))]


def test_prores_mov_is_10_bit_422_hq_and_closer_to_the_frames_than_h264(tmp_path):
    src = smooth_frames(5)
    got = written_and_read(tmp_path / "x.mov", "prores", src)
    with av.open(str(tmp_path / "x.mov")) as c:
        s = c.streams.video[0]
        assert c.format.name.startswith("mov") and s.codec_context.name == "prores"
        assert s.codec_context.profile == "HQ" and s.format.name == "yuv422p10le"
        assert c.metadata.get("comment") == "tagged"
    h264 = written_and_read(tmp_path / "x.mp4", "h264", src)

    def err(frames):
        return np.mean([np.abs(a.astype(float) - b).mean() for a, b in zip(frames, src, strict=True)])

    assert len(got) == 5 and err(got) < 1.0 and err(got) < err(h264), (err(got), err(h264))


def test_png_sequence_is_lossless_numbered_from_the_first_frame_and_tagged(tmp_path):
    out = tmp_path / "shot"
    src = frames(3)
    with ImageSequenceWriter(
        out, Fraction(30), 64, 48, first_number=120, metadata={"comment": "EDITED"}
    ) as w:
        for f in src:
            w.write(f)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["shot_000120.png", "shot_000121.png", "shot_000122.png"]
    for name, f in zip(names, src, strict=True):
        np.testing.assert_array_equal(cv2.imread(str(out / name))[..., ::-1], f)
    assert b"tEXtComment\x00EDITED" in (out / names[0]).read_bytes()
    assert not (tmp_path / "shot.part").exists()


def test_png_text_chunk_keeps_the_file_valid():
    png = encode_png(frames(1)[0], {"comment": "x", "software": "Render Studio"})
    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape == (48, 64, 3)


def test_png_sequence_replaces_its_earlier_export_only(tmp_path):
    out = tmp_path / "shot"
    for n in (4, 2):  # re-export, shorter: no stale frames of the first left behind
        with ImageSequenceWriter(out, Fraction(30), 64, 48) as w:
            for f in frames(n):
                w.write(f)
    assert sorted(p.name for p in out.iterdir()) == ["shot_000000.png", "shot_000001.png"]
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InputError) as e:
        ImageSequenceWriter(out, Fraction(30), 64, 48)
    assert "notes.txt" in str(e.value) and str(out) in str(e.value)
    assert (out / "notes.txt").read_text() == "mine"


def test_an_aborted_png_sequence_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "shot"
    with ImageSequenceWriter(out, Fraction(30), 64, 48) as w:
        w.write(frames(1)[0])
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(RuntimeError), ImageSequenceWriter(out, Fraction(30), 64, 48) as w:
        for f in frames(3):
            w.write(f)
        raise RuntimeError("cancelled")
    assert sorted(p.name for p in out.iterdir()) == before
    assert not (tmp_path / "shot.part").exists()
