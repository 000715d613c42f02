import numpy as np
import pytest

from render_core.errors import InputError
from render_core.jobs import null_context
from render_core.project.frame_sampling import (
    SamplingConfig,
    output_size,
    sample_frames,
    sharpest_per_window,
    sharpness,
    window_starts,
)

from .video_clips import blurred, noise_image, write_video


def test_sharpness_ranks_blur():
    img = noise_image()
    assert sharpness(img) > sharpness(blurred(img, 1.0)) > sharpness(blurred(img, 3.0))


def test_windows_cover_the_clip_and_keep_every_frame_of_a_short_one():
    starts = window_starts(1000, 200)
    assert starts[0] == 0 and starts[-1] == 1000 and len(starts) == 201
    assert set(np.diff(starts)) == {5}
    np.testing.assert_array_equal(window_starts(40, 200), np.arange(41))


def test_the_sharpest_frame_of_each_window_is_kept():
    img = noise_image()
    sigma = {i: 3.0 for i in range(12)}
    sigma.update({2: 0.0, 5: 0.6, 9: 0.0})  # window [0,4): 2; [4,8): 5 (least blurred); [8,12): 9
    frames = ((i, blurred(img, sigma[i])) for i in range(12))
    kept = [i for i, _ in sharpest_per_window(frames, window_starts(12, 3))]
    assert kept == [2, 5, 9]


def test_sampling_a_video_writes_the_sharp_frames(tmp_path):
    img = noise_image((320, 240))
    sharp = {3, 13, 22}
    frames = [img if i in sharp else blurred(img, 2.5) for i in range(30)]
    video = write_video(tmp_path / "walk.mp4", frames)
    out = sample_frames(video, tmp_path / "frames", SamplingConfig(target=3, max_size=160), null_context())
    assert out.indices == (3, 13, 22) and out.size == (160, 120)
    assert [p.name for p in out.paths] == ["000003.jpg", "000013.jpg", "000022.jpg"]
    assert all(p.is_file() for p in out.paths) and out.decoded == out.frame_count == 30


def test_a_short_clip_keeps_all_frames(tmp_path):
    video = write_video(tmp_path / "short.mp4", [noise_image(seed=i) for i in range(10)])
    out = sample_frames(video, tmp_path / "frames", SamplingConfig(), null_context())
    assert out.indices == tuple(range(10))


def test_too_short_or_unreadable_videos_name_the_file(tmp_path):
    video = write_video(tmp_path / "tiny.mp4", [noise_image()] * 3)
    with pytest.raises(InputError, match=r"tiny\.mp4: too short: 3 frames"):
        sample_frames(video, tmp_path / "a", SamplingConfig(), null_context())
    text = tmp_path / "notes.mp4"
    text.write_text("not a video")
    with pytest.raises(InputError, match=r"notes\.mp4: not a readable video"):
        sample_frames(text, tmp_path / "b", SamplingConfig(), null_context())


def test_output_size_limits_the_long_side():
    assert output_size(1920, 1080, 1600) == (1600, 900)
    assert output_size(640, 480, 1600) == (640, 480)
    assert output_size(1080, 1920, 1280) == (720, 1280)
