import numpy as np
import pytest

from render_core.errors import InputError
from render_core.jobs import Cancelled, JobContext, null_context
from render_core.tracking.track_clip import TrackConfig, false_ranges, track_clip, tracker_version
from render_core.tracking.tracks import Tracks
from tests.conftest import footage_path


def test_false_ranges():
    v = np.array([0, 0, 1, 1, 0, 1, 0], bool)
    assert false_ranges(v) == [[0, 1], [4, 4], [6, 6]]
    assert false_ranges(v, 10) == [[10, 11], [14, 14], [16, 16]]
    assert false_ranges(np.ones(3, bool)) == []


def test_version_depends_on_settings_not_location():
    a = TrackConfig("a.mp4", project_dir="x")
    assert tracker_version(a) == tracker_version(TrackConfig("b.mp4"))
    assert tracker_version(a) != tracker_version(TrackConfig("a.mp4", face_index=1))


def test_small_clip_tracks_caches_and_loads(small_talking_head, tmp_path):
    cfg = TrackConfig(str(small_talking_head), project_dir=str(tmp_path), max_frames=40)
    seen = []
    r = track_clip(cfg, JobContext(seen.append))
    s = r.summary
    assert not r.cached and r.path.is_file() and r.path.parent == tmp_path / "cache" / "tracks"
    assert s["frames"] == 40 and s["face_valid"] >= 40 * 0.99 and s["body_valid"] >= 40 * 0.99
    assert len(seen) == 40 and seen[-1].fraction == 1.0
    f = r.tracks.face
    assert f.landmarks.shape == (40, 478, 3) and f.head_pose.shape == (40, 4, 4)
    assert f.expression.shape[0] == 40 and np.isfinite(f.expression).all()
    assert abs(np.linalg.det(f.head_pose[0, :3, :3]) - 1) < 1e-4 and f.head_pose[0, 2, 3] > 10
    assert r.tracks.body.mask(0) is not None
    assert r.tracks.meta["clip_hash"] in r.path.name
    again = track_clip(cfg, null_context())
    assert again.cached and again.summary["cached"] and again.summary["frames"] == 40
    np.testing.assert_array_equal(again.tracks.face.landmarks, f.landmarks)
    # The landmarks as detected are kept next to the smoothed ones (neural families use them).
    raw = again.tracks.face.raw_landmarks
    assert raw is not None and raw.shape == f.landmarks.shape and np.isfinite(raw[f.valid]).all()
    assert 0 < np.abs(raw - f.landmarks)[f.valid].mean() < 5.0
    np.testing.assert_array_equal(again.tracks.face.detected, raw)


def test_unsmoothed_tracks_have_no_separate_raw_landmarks(small_talking_head, tmp_path):
    cfg = TrackConfig(
        str(small_talking_head), project_dir=str(tmp_path), body=False, max_frames=5, smooth=False
    )
    f = track_clip(cfg, null_context()).tracks.face
    assert f.raw_landmarks is None and f.detected is f.landmarks


def test_cancel_leaves_no_cache_file(small_talking_head, tmp_path):
    ctx = JobContext(lambda p: ctx.cancel() if p.done == 5 else None)
    with pytest.raises(Cancelled):
        track_clip(TrackConfig(str(small_talking_head), project_dir=str(tmp_path), max_frames=20), ctx)
    assert not list((tmp_path / "cache" / "tracks").glob("*"))


def test_no_face_frames_are_reported_and_body_still_tracked(clip_with_gap, tmp_path):
    r = track_clip(TrackConfig(str(clip_with_gap), project_dir=str(tmp_path)), null_context())
    s = r.summary
    assert s["no_face_ranges"] == [[10, 19]] and s["face_valid"] == 20
    assert np.isnan(r.tracks.face.landmarks[10:20]).all() and np.isnan(r.tracks.face.head_pose[15]).all()
    assert r.tracks.body is not None and r.tracks.body.valid[:10].all()
    assert Tracks.load(r.path).meta["no_face_ranges"] == [[10, 19]]


def test_missing_clip_is_input_error(tmp_path):
    with pytest.raises(InputError):
        track_clip(TrackConfig(str(tmp_path / "nope.mp4")), null_context())


@pytest.mark.footage
def test_shared_clip_subset_valid(tmp_path):
    clip = footage_path("A_tfjs_facemesh_input.mp4")
    cfg = TrackConfig(str(clip), project_dir=str(tmp_path), frame_range=(100, 130), body=False)
    r = track_clip(cfg, null_context())
    assert r.summary["frames"] == 30 and r.summary["face_valid"] >= 30 * 0.99
    assert r.tracks.meta["frame_start"] == 100
    assert r.tracks.face.landmarks[:, :, 0].max() > 540  # full 1080-wide pixels, not detect size


def test_small_faces_in_full_body_shots_are_found_through_head_crops(tmp_path):
    """FaceMesh's full-frame detector misses the ~30 px faces of full-body clips; the head-crop
    fallback finds them (100% on this clip's frames, measured)."""
    from tests.conftest import footage_path

    clip = footage_path("B_tfjs_pose_1.mp4")
    res = track_clip(TrackConfig(clip=str(clip), project_dir=str(tmp_path), max_frames=30), null_context())
    assert res.summary["face_valid"] >= 29 and res.summary["body_valid"] == 30
    face, body = res.tracks.face, res.tracks.body
    nose_face, nose_body = face.landmarks[:, 1, :2], body.joints[:, 0, :2]  # both trackers' nose tip
    assert np.nanmedian(np.linalg.norm(nose_face - nose_body, axis=1)) < 6.0
