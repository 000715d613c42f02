"""Audio on the timeline: the clip's waveform in its own row, a driving performance's inside its
layer's bar where it plays (read by the layer's driving-frame rule), read as background jobs."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF

from render_core.edits.layer import EditLayer
from render_core.edits.params import ReenactFaceParams
from render_core.edits.settings import driving_frame_at
from studio import commands as C
from studio.timeline import AUDIO_ROW_H
from studio.timeline_audio import WAVE, column_levels, driven_levels
from studio.timeline_rows import GAP_ROW_H, NAME_W, RULER_H


def test_column_levels_keep_the_loudest_frame_of_each_column():
    levels = np.array([0.1, 0.9, 0.2, 0.3, 0.0, 0.5], np.float32)
    np.testing.assert_allclose(column_levels(levels, np.array([0, 2, 4])), [0.9, 0.3, 0.5])
    np.testing.assert_allclose(column_levels(levels, np.array([0, 0, 1, 1])), [0.1, 0.1, 0.9, 0.9])


def test_a_layer_draws_its_driving_sound_where_the_performance_plays():
    """25 fps driver under 30 fps output, from driving frame 5: the level at output frame t is
    the driving frame's that the picture shows there; 0 once the performance is over."""
    driving = np.linspace(0, 1, 40).astype(np.float32)
    layer = EditLayer("reenact_face", 10, 60, settings={"driving_clip": "d", "offset": 5})
    got = driven_levels(layer, driving, 25.0, 30.0)
    for t in (10, 17, 43):
        assert got[t - 10] == driving[driving_frame_at(t, 10, 5, 25 / 30)]
    assert got[-1] == 0  # driving frame 47 is past its 40 frames


def colour_pixels(image, rect: QRectF, colour) -> int:
    n = 0
    for y in range(int(rect.top()), int(rect.bottom())):
        for x in range(int(rect.left()), int(rect.right())):
            c = image.pixelColor(x, y)
            n += (
                abs(c.red() - colour.red()) + abs(c.green() - colour.green()) + abs(c.blue() - colour.blue())
                < 40
            )
    return n


def brightness(image, rect: QRectF) -> float:
    """Mean of R+G+B over a rectangle of a QImage."""
    total, n = 0, 0
    for y in range(int(rect.top()), int(rect.bottom()), 2):
        for x in range(int(rect.left()), int(rect.right()), 3):
            c = image.pixelColor(x, y)
            total, n = total + c.red() + c.green() + c.blue(), n + 1
    return total / max(1, n)


def test_the_clips_audio_and_a_driving_clips_audio_are_drawn(window, qtbot, clip_with_audio):
    window.open_path(clip_with_audio)
    qtbot.waitUntil(lambda: window.state.tracks is not None, timeout=60_000)
    st, store, tl = window.state, window.waveforms, window.timeline
    qtbot.waitUntil(lambda: store.get(st.clip_path) is not None, timeout=30_000)
    levels = store.get(st.clip_path)
    assert len(levels) == st.frame_count and np.median(levels) > 0.5  # a steady tone
    row = QRectF(NAME_W, RULER_H + GAP_ROW_H, tl.width() - NAME_W, AUDIO_ROW_H)
    assert colour_pixels(tl.grab().toImage(), row, WAVE) > 0.5 * row.width()

    layer = window.inspector.add_layer("reenact_face")  # the clip drives itself
    st.undo_stack.push(C.SetKeyframe(st, layer.id, 0, ReenactFaceParams(strength=1.0)))
    i = [ly.id for ly in st.timeline.layers].index(layer.id)
    bar = QRectF(NAME_W + 10, tl.row_top(i) + 5, tl.width() - NAME_W - 20, 14)
    plain = brightness(tl.grab().toImage(), bar)  # the bar alone, no driving clip yet
    window.inspector.choose_driving_clip(clip_with_audio)
    chosen = lambda: bool(st.timeline.layer(layer.id).settings.get("driving_clip"))  # noqa: E731
    qtbot.waitUntil(chosen, timeout=30_000)
    # the steady tone fills the bar with its (light) level lines
    qtbot.waitUntil(lambda: brightness(tl.grab().toImage(), bar) > plain + 30, timeout=30_000)


def test_a_clip_without_audio_says_so(opened, qtbot):
    store = opened.waveforms
    key_known = lambda: any(k.endswith(opened.state.clip_path.split("/")[-1]) for k in store.levels)  # noqa: E731
    qtbot.waitUntil(key_known, timeout=30_000)
    assert store.get(opened.state.clip_path) is None
