import numpy as np

from render_core.tracking.body import BodyTracker
from render_core.tracking.face import FaceTracker, FaceTrackerConfig, choose_face, iris_centres
from render_core.tracking.retrack import retrack_body, retrack_face
from render_core.tracking.tracks import BodyTrack
from tests.core.tracking.conftest import read_frames


def _box_pts(x0, y0, x1, y1):
    return np.array([[x0, y0, 0], [x1, y1, 0]], np.float32)


def test_choose_face_largest_then_follow_overlap():
    big, small = _box_pts(0, 0, 100, 100), _box_pts(200, 0, 240, 40)
    assert choose_face([small, big], None, 0) == 1
    assert choose_face([small, big], None, 1) == 0
    assert choose_face([big], None, 1) is None and choose_face([], None, 0) is None


def test_choose_face_follows_overlap_among_similar_sizes_and_the_rank_among_different_ones():
    left, right = _box_pts(0, 0, 100, 100), _box_pts(200, 0, 290, 90)  # 0.81x the area
    assert choose_face([left, right], np.array([195.0, 0, 290, 90]), 0) == 1  # keeps following
    big, small = _box_pts(0, 0, 100, 100), _box_pts(200, 0, 240, 40)  # 6x apart
    assert choose_face([big, small], np.array([195.0, 0, 240, 40]), 0) == 0  # the largest takes over
    # The followed large face is missing in this frame: the small one is a miss, not face 0.
    assert choose_face([small], np.array([0.0, 0, 100, 100]), 0) is None
    assert choose_face([small], np.array([195.0, 0, 240, 40]), 0) == 0


def test_face_landmarks_in_full_frame_pixels(small_talking_head):
    frames = read_frames(small_talking_head, 5)
    h, w = frames[0].shape[:2]
    with FaceTracker(FaceTrackerConfig(detect_size=0)) as ft:
        lm = [ft.process(f) for f in frames][-1]
    assert lm is not None and lm.shape == (478, 3)
    assert lm[:, 0].min() > 0 and lm[:, 0].max() < w and 0 < lm[:, 1].max() < h
    iris = iris_centres(lm)
    assert iris[0, 0] > iris[1, 0]  # subject's left iris is on the image right
    with FaceTracker(FaceTrackerConfig(detect_size=0)) as ft:
        small = [f[::2, ::2].copy() for f in frames]
        lm2 = [ft.process(f, (w, h)) for f in small][-1]
    assert np.median(np.abs(lm2[:, :2] - lm[:, :2])) < 2.0  # downscaled input, same pixels


def test_body_joints_and_half_size_mask(small_talking_head):
    frames = read_frames(small_talking_head, 5)
    h, w = frames[0].shape[:2]
    with BodyTracker() as bt:
        joints, mask = [bt.process(f) for f in frames][-1]
    assert joints.shape == (33, 4) and joints[:, 3].min() >= 0 and joints[:, 3].max() <= 1
    assert joints[0, 3] > 0.5 and 0 < joints[0, 0] < w  # nose visible and inside the frame
    m = BodyTrack(joints[None], np.array([True]), [mask]).mask(0)
    assert m.shape == (round(h / 2), round(w / 2)) and m.max() > 0.5


def test_retrack(small_talking_head):
    frames = read_frames(small_talking_head, 4) + [np.zeros((144, 176, 3), np.uint8)]
    lms, valid = retrack_face(frames)
    assert lms.shape == (5, 478, 3) and valid.tolist() == [True] * 4 + [False]
    joints, bvalid = retrack_body(frames[:2])
    assert joints.shape == (2, 33, 4) and bvalid.all()
