"""A clip cut short opens with the frames it has and says so; the inspector shows the new clip's
frame range, not the previous clip's."""

from __future__ import annotations

import subprocess

import pytest


@pytest.fixture(scope="module")
def truncated_clip(clip_path, tmp_path_factory):
    """The small clip rewritten with its header first (faststart), then cut to its first 30%."""
    import imageio_ffmpeg

    folder = tmp_path_factory.mktemp("truncated")
    whole = folder / "whole.mp4"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(clip_path), "-c", "copy",
           "-movflags", "+faststart", str(whole)]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=60)
    data = whole.read_bytes()
    cut = folder / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.3)])
    return cut


def test_truncated_clip_opens_with_a_damage_note(opened, qtbot, truncated_clip):
    st, insp = opened.state, opened.inspector
    full = st.frame_count
    insp.add_layer("expression")
    assert insp.end_spin.value() == full - 1
    warnings = []
    opened.session.warning.connect(warnings.append)
    with qtbot.waitSignal(opened.session.opened, timeout=30_000):
        opened.open_path(truncated_clip)
    assert 0 < st.frame_count < full
    assert len(warnings) == 1 and "truncated" in warnings[0] and f"only {st.frame_count} of" in warnings[0]
    assert "cut.mp4" in opened.status.last_warning and "truncated" in opened.status.currentMessage()
    assert insp.end_spin.value() == st.frame_count - 1 and insp.end_spin.maximum() == st.frame_count - 1


def test_whole_clip_opens_without_a_note(window, qtbot, clip_path):
    warnings = []
    window.session.warning.connect(warnings.append)
    with qtbot.waitSignal(window.session.opened, timeout=30_000):
        window.open_path(clip_path)
    assert warnings == [] and window.status.last_warning is None
