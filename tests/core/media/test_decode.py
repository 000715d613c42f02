from __future__ import annotations

import numpy as np
import pytest

from render_core.errors import InputError
from render_core.media.decode import VideoReader
from render_core.media.probe import probe
from tests import corpus
from tests.conftest import footage_path


def _sequential(path) -> list[np.ndarray]:
    with VideoReader(path) as reader:
        return [frame for _, frame in reader.frames()]


@pytest.mark.parametrize("fixture", ["clip", "vfr_clip"])
def test_random_access_equals_sequential(request, fixture):
    path = request.getfixturevalue(fixture)
    seq = _sequential(path)
    with VideoReader(path) as reader:
        assert len(seq) == len(reader) == reader.info.frame_count
        order = np.random.default_rng(1).permutation(len(seq))[:15].tolist() + [len(seq) - 1, 0]
        for i in order:
            assert np.array_equal(reader.read(i), seq[i]), f"frame {i}"


def test_vfr_frames_are_the_encoded_ones(vfr_clip):
    """Each VFR frame shows its own pattern: a seek that lands on a neighbour fails here."""
    with VideoReader(vfr_clip) as reader:
        for i in (3, 17, 30, 11):
            err = np.abs(reader.read(i).astype(int) - corpus.pattern_frame(i, 160, 120)).mean()
            assert err < 6.0, f"frame {i} mean error {err}"


def test_sequential_reads_do_not_seek(clip):
    with VideoReader(clip) as reader:
        reader.read(3)
        seeks = reader.seek_count
        for i in range(4, 25):
            reader.read(i)
        assert reader.seek_count == seeks
        reader.read(2)  # backwards needs a seek
        assert reader.seek_count == seeks + 1


def test_frames_range_step_and_size(clip):
    with VideoReader(clip) as reader:
        got = list(reader.frames(start=5, stop=20, step=4, size=(80, 60)))
    assert [i for i, _ in got] == [5, 9, 13, 17]
    assert all(f.shape == (60, 80, 3) and f.dtype == np.uint8 for _, f in got)


def test_rotated_pixels(clip, tmp_path):
    rotated = corpus.make_rotated(clip, tmp_path / "rot.mp4", 90)
    with VideoReader(clip) as plain, VideoReader(rotated) as rot:
        frame = rot.read(7)
        assert frame.shape == (160, 120, 3)
        assert np.array_equal(frame, np.rot90(plain.read(7), k=-1))
        assert next(rot.frames(size=(60, 80)))[1].shape == (80, 60, 3)


def test_reader_accepts_info_without_timestamps(clip):
    from render_core.media.clip_info import ClipInfo

    info = ClipInfo.from_json(probe(clip).to_json())
    with VideoReader(clip, info) as reader:
        assert len(reader) == 30 and reader.read(12).shape == (120, 160, 3)


@pytest.mark.parametrize("fraction", [0.05, 0.5])
def test_truncated_clip_salvages_or_names_file(tmp_path, fraction):
    src = corpus.make_clip(tmp_path / "full.mp4", frames=60, gop=15)
    cut = corpus.make_truncated(src, tmp_path / f"cut{int(fraction * 100)}.mp4", fraction)
    try:
        info = probe(cut)
    except InputError as err:
        assert cut.name in str(err)
        return
    assert 0 < info.frame_count < 60
    with VideoReader(cut, info) as reader:
        frames = list(reader.frames())
        assert len(frames) == info.frame_count and reader.damaged_from is None
        assert np.array_equal(reader.read(info.frame_count - 1), frames[-1][1])


def test_truncated_clip_with_index_at_end_names_file(tmp_path):
    src = corpus.make_clip(tmp_path / "full.mp4", faststart=False)
    cut = corpus.make_truncated(src, tmp_path / "cut.mp4", 0.5)
    with pytest.raises(InputError, match="cut.mp4"):
        VideoReader(cut)


def test_real_footage_decode_and_seek():
    path = footage_path("A_liveportrait_d18.mp4")
    with VideoReader(path) as reader:
        seq = dict(reader.frames(start=100, stop=140))
        for i in (139, 100, 121):
            assert np.array_equal(reader.read(i), seq[i])


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_a_still_image_reads_as_a_one_frame_clip(tmp_path, suffix):
    """A JPEG still is one packet its demuxer cannot seek back to: it reads like the PNG."""
    still = corpus.make_still(tmp_path / f"still{suffix}")
    with VideoReader(still) as reader:
        assert len(reader) == 1
        first = reader.read(0)
        assert [i for i, _ in reader.frames()] == [0]
        assert np.array_equal(reader.read(0), first)
    assert first.shape == (120, 160, 3) and first.std() > 20  # the pattern, not a blank frame
