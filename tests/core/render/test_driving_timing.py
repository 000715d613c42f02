"""A driving performance keeps its timing: reenactment reads the driving face steadied without
lag (centred over neighbouring frames, head pose refitted), not the tracker's causal smoothing,
which trails the video by about a frame (and the driving clip's audio with it)."""

from __future__ import annotations

import numpy as np
import pytest

from render_core.edits.layer import EditLayer
from render_core.edits.params import ReenactFaceParams, validate
from render_core.edits.settings import ReenactSettings
from render_core.edits.timeline import EditTimeline
from render_core.jobs import null_context
from render_core.render.frame_edits import resolve_frame
from render_core.render.sources import EditSources, track_for_render
from render_core.tracking.face import iris_centres
from render_core.tracking.head_pose import fit_head_pose


@pytest.fixture(scope="module")
def clip_tracks(tmp_path_factory):
    from tests.conftest import carphone_path, footage_path

    clip = carphone_path() or footage_path("A_liveportrait_d18.mp4")
    return track_for_render(clip, tmp_path_factory.mktemp("p"), null_context())


def mouth_opening(landmarks: np.ndarray) -> np.ndarray:
    return np.linalg.norm(landmarks[:, 13, :2] - landmarks[:, 14, :2], axis=-1)


def lag_frames(reference: np.ndarray, signal: np.ndarray, max_lag: int = 4) -> float:
    """How many frames `signal` trails `reference`: the normalized cross-correlation's peak,
    refined by a parabola through its neighbours."""
    a = (reference - reference.mean()) / reference.std()
    b = (signal - signal.mean()) / signal.std()
    n, lags = len(a), np.arange(-max_lag, max_lag + 1)
    c = np.array([np.mean(a[: n - k] * b[k:]) if k >= 0 else np.mean(a[-k:] * b[: n + k]) for k in lags])
    i = int(np.clip(np.argmax(c), 1, len(c) - 2))
    y0, y1, y2 = c[i - 1 : i + 2]
    return float(lags[i] + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2))


def test_steady_face_is_the_steadied_landmarks_with_their_own_pose(clip_tracks):
    t = 40
    s = clip_tracks.steady_face(t, scale=0.5)
    np.testing.assert_array_equal(s.landmarks, clip_tracks.face(t, 0.5).steady_landmarks)
    np.testing.assert_allclose(s.head_pose, fit_head_pose(s.landmarks, s.focal, s.principal), atol=1e-5)
    np.testing.assert_allclose(s.head_pose, clip_tracks.steady_face(t).head_pose, atol=1e-3)  # scale-free
    np.testing.assert_allclose(s.iris, iris_centres(s.landmarks))


def test_reenactment_keeps_the_driving_mouths_timing(clip_tracks):
    n = len(clip_tracks)
    detected = mouth_opening(clip_tracks.tracks.face.raw_landmarks)
    tracked = mouth_opening(np.stack([clip_tracks.face(t).landmarks for t in range(n)]))
    assert lag_frames(detected, tracked) > 0.5  # the tracker's causal smoothing trails

    # The clip drives itself from frame 0: the reenacted mouth should open when the detected one does.
    settings = ReenactSettings("drv", ("expression",), 0, 0)
    layer = EditLayer("reenact_face", 0, n - 1, {0: validate(ReenactFaceParams, {"strength": 1.0})},
                      interpolation="hold", settings=settings.to_json())  # fmt: skip
    sources = EditSources(clip_tracks, {"drv": clip_tracks})
    timeline = EditTimeline().add_layer(layer)
    edited = np.stack([resolve_frame(sources, timeline, t).face_edit.landmarks for t in range(n)])
    assert abs(lag_frames(detected, mouth_opening(edited))) < 0.3


def test_a_driving_clip_at_another_rate_is_read_by_time(clip_tracks):
    """Output at 30 fps, driver at 25 fps: output frame start + k shows the driving frame
    offset + round(k * 25 / 30), the one the driver's own sound plays with; an output that
    follows the driver's timebase (rate unknown or equal) reads frame for frame."""
    from dataclasses import replace

    from render_core.render.sources import ClipTracks

    tracks = clip_tracks.tracks
    driver = ClipTracks(replace(tracks, meta={**tracks.meta, "fps": [25, 1]}), clip_tracks.size)
    start, offset = 10, 3

    def layer(offset: int) -> EditTimeline:
        s = ReenactSettings("drv", ("expression",), 0, 0, offset)
        full = {start: validate(ReenactFaceParams, {"strength": 1.0})}
        end = len(driver) - 1
        ly = EditLayer("reenact_face", start, end, full, interpolation="hold", settings=s.to_json())
        return EditTimeline().add_layer(ly)

    by_time = EditSources(clip_tracks, {"drv": driver}, output_fps=30.0)
    frame_for_frame = EditSources(clip_tracks, {"drv": driver})
    for k in (0, 6, 17, 30):
        shown = offset + round(k * 25 / 30)  # 3, 8, 17, 28
        got = resolve_frame(by_time, layer(offset), start + k).face_edit.landmarks
        # the same driving frame reached frame for frame by shifting the offset
        want = resolve_frame(frame_for_frame, layer(shown - k), start + k).face_edit.landmarks
        np.testing.assert_array_equal(got, want)
    late = resolve_frame(frame_for_frame, layer(offset), start + 30).face_edit.landmarks
    assert not np.array_equal(late, resolve_frame(by_time, layer(offset), start + 30).face_edit.landmarks)


def test_a_reenact_layer_without_its_driving_clip_leaves_frames_unedited(clip_tracks):
    """A user adds the layer and a keyframe before choosing the clip: the preview shows the
    footage (plus any other edit), not an error."""
    from render_core.edits.params import ExpressionParams

    reenact = EditLayer("reenact_face", 0, 30, {0: validate(ReenactFaceParams, {"strength": 1.0})})
    sources = EditSources(clip_tracks, {})
    alone = EditTimeline().add_layer(reenact)
    assert resolve_frame(sources, alone, 12).face_edit is None
    smile = EditLayer("expression", 0, 30, {0: validate(ExpressionParams, {"smile": 0.8})})
    both = alone.add_layer(smile)
    want = resolve_frame(sources, EditTimeline().add_layer(smile), 12).face_edit.landmarks
    np.testing.assert_array_equal(resolve_frame(sources, both, 12).face_edit.landmarks, want)
