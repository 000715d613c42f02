"""The warp renderer's donor regions on real footage: an opened mouth shows the clip's own teeth,
a closed eye the clip's own lids, and what the clip cannot lend is said once."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import pytest

from render_core.contract import FrameRequest
from render_core.edits.face_ops import edit_face
from render_core.edits.params import ExpressionParams
from render_core.metrics.image import psnr
from render_core.render.warp_renderer import WarpRenderer
from render_core.warp.clip_frames import ClipFrames
from render_core.warp.donors import NO_OPEN_MOUTH, DonorPicker
from render_core.warp.mouth_retrieval import INNER
from render_core.warp.shape_index import ShapeIndex
from tests.conftest import footage_path

LUMA = np.array([0.299, 0.587, 0.114], np.float32)
# (clip, closed-mouth frame to edit, frames tracked): each range holds open-mouth frames
CLIPS = {"d18": ("A_liveportrait_d18.mp4", 60, 160), "d9": ("A_liveportrait_d9.mp4", 20, 120)}


@lru_cache(maxsize=2)
def _clip(name: str):
    from render_core.jobs import null_context
    from render_core.render.sources import ClipTracks
    from render_core.tracking.track_clip import TrackConfig, track_clip

    file, _, stop = CLIPS[name]
    path = footage_path(file)
    res = track_clip(TrackConfig(str(path), body=False, frame_range=(0, stop)), null_context())
    meta = res.tracks.meta
    return path, ClipTracks(
        res.tracks, (int(meta["width"]), int(meta["height"])), int(meta.get("frame_start", 0))
    )


def _request(path: Path, clip, t: int, frames: ClipFrames, **expr) -> FrameRequest:
    face = clip.face(t)
    edit = edit_face(face, clip.neutral_head, {"expression": ExpressionParams(**expr)})
    return FrameRequest(t, frames.get(t), face, edit, clip=clip)


def _bright_decile(image: np.ndarray, poly: np.ndarray) -> float:
    """Mean luma of the brightest tenth of the pixels inside the (eroded) polygon."""
    m = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(poly).astype(np.int32)], 1)
    m = cv2.erode(m, np.ones((3, 3), np.uint8)) > 0
    lum = image[m] @ LUMA
    return float(np.sort(lum)[-max(1, len(lum) // 10) :].mean())


def _retracked_gap(image: np.ndarray) -> float:
    from mediapipe.python.solutions.face_mesh import FaceMesh

    h, w = image.shape[:2]
    with FaceMesh(static_image_mode=True, refine_landmarks=True, max_num_faces=1) as fm:
        res = fm.process((np.clip(image, 0, 1) * 255).astype(np.uint8))
    p = res.multi_face_landmarks[0].landmark
    return float(np.hypot((p[13].x - p[14].x) * w, (p[13].y - p[14].y) * h))


@pytest.mark.footage
@pytest.mark.parametrize("name", ["d18", "d9"])
def test_jaw_open_shows_the_clips_own_teeth(name):
    path, clip = _clip(name)
    t = CLIPS[name][1]
    frames = ClipFrames(path, capacity=2)
    req = _request(path, clip, t, frames, jaw_open=1.0)
    new = WarpRenderer(frames=frames).render(req).image
    old = WarpRenderer().render(req).image  # the shaded interior
    index = ShapeIndex.from_clip(clip)
    opened = index.open_mouth_frames()
    assert len(opened) >= 3
    some = opened[np.linspace(0, len(opened) - 1, min(len(opened), 24)).astype(int)]
    real = [_bright_decile(frames.get(int(u)), clip.face(int(u)).landmarks[list(INNER), :2]) for u in some]
    poly = req.face_edit.landmarks[list(INNER), :2]
    got, shaded = _bright_decile(new, poly), _bright_decile(old, poly)
    assert min(real) <= got <= max(real), (got, min(real), max(real))
    assert shaded < min(real)  # the flat fill never reached the teeth's brightness
    assert len(frames._cache) <= 2  # bounded, whatever the clip's length
    # the edit still opens the mouth for a tracker, and leaves the frame outside the face alone
    e = req.face_edit.landmarks
    asked = float(np.linalg.norm(e[13, :2] - e[14, :2]))
    gap = _retracked_gap(new)
    assert gap > _retracked_gap(req.frame) + 0.15 * asked and gap > _retracked_gap(old)
    lm = req.face.landmarks[:, :2]
    top = int(lm[:, 1].min()) - 40
    assert psnr(new[: max(top, 1)], req.frame[: max(top, 1)]) >= 40.0


@pytest.mark.footage
def test_unedited_request_passes_through():
    path, clip = _clip("d18")
    frames = ClipFrames(path, capacity=2)
    face = clip.face(5)
    req = FrameRequest(5, frames.get(5), face, face, clip=clip)
    out = WarpRenderer(frames=frames).render(req).image
    assert psnr(out, req.frame) >= 40.0


@pytest.mark.footage
def test_clip_without_open_mouth_warns_once_and_shades():
    path, clip = _clip("d18")
    frames = ClipFrames(path, capacity=2)
    renderer = WarpRenderer(frames=frames)
    index = ShapeIndex.from_clip(clip)
    shut = replace(index, opening=np.zeros_like(index.opening))  # as if it never opened
    renderer.donors._clip, renderer.donors._index = clip, shut
    shaded = WarpRenderer()
    for t in (20, 21):
        req = _request(path, clip, t, frames, jaw_open=1.0)
        out = renderer.render(req).image
        np.testing.assert_allclose(out, shaded.render(req).image, atol=1e-6)
    assert renderer.report()["warnings"] == [NO_OPEN_MOUTH]


@pytest.mark.footage
def test_mouth_donor_is_the_matching_frame():
    _, clip = _clip("d18")
    index = ShapeIndex.from_clip(clip)
    from render_core.geometry.head_space import to_head_space

    for u in index.open_mouth_frames()[::10]:
        f = clip.face(int(u))
        head = to_head_space(f.landmarks, f.head_pose, f.focal, f.principal)
        assert index.mouth_donor(head, np.asarray(f.head_pose, np.float64)[:3, :3]) == int(u)


@pytest.mark.footage
def test_closed_eye_comes_from_a_blink_not_a_dark_fill():
    path, clip = _clip("d9")
    frames = ClipFrames(path, capacity=2)
    picker = DonorPicker(frames)
    index = picker.index(clip)
    assert index.blinks(0)
    req = _request(path, clip, 20, frames, blink_left=1.0, blink_right=1.0)
    new = WarpRenderer(frames=frames).render(req).image
    # the clip's own closed eyes: luma range of the lid region of its most closed frame
    shut = int(index.frames[np.argmin(index.eyes[:, 0])])
    lids = list(range(362, 363)) + [263, 466, 388, 387, 386, 385, 384, 398, 249, 390, 373, 374, 380, 381, 382]

    def region(image, lm):
        hull = cv2.convexHull(lm[lids, :2].astype(np.float32)).reshape(-1, 2)
        c = hull.mean(axis=0)
        return np.percentile(_pixels(image, c + 1.2 * (hull - c)) @ LUMA, [5, 50])

    real_lo, real_mid = region(frames.get(shut), clip.face(shut).landmarks)
    got_lo, got_mid = region(new, req.face_edit.landmarks)
    assert got_lo >= real_lo - 0.05 and abs(got_mid - real_mid) < 0.08, (got_lo, real_lo, got_mid, real_mid)


def _pixels(image: np.ndarray, poly: np.ndarray) -> np.ndarray:
    m = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(poly).astype(np.int32)], 1)
    return image[m > 0]


def _retracked(image: np.ndarray) -> np.ndarray:
    from mediapipe.python.solutions.face_mesh import FaceMesh

    h, w = image.shape[:2]
    with FaceMesh(static_image_mode=True, refine_landmarks=True, max_num_faces=1) as fm:
        res = fm.process((np.clip(image, 0, 1) * 255).astype(np.uint8))
    return np.array([[p.x * w, p.y * h] for p in res.multi_face_landmarks[0].landmark], np.float32)


@pytest.mark.footage
def test_a_wide_open_mouth_a_driven_face_closes_reads_closed():
    """Reenactment closes the target's yell to its neutral mouth (the chin rises a third as far
    as the lower lip): the clip's closed lips and the skin below them down toward the chin. The
    lips alone left the open lower lip stretched below them, read as a parted mouth (0.56 of
    the yell's gap, against 0.36)."""
    from render_core.edits.reenact import FacePair, reenact_face

    path, clip = _clip("d18")
    frames = ClipFrames(path, capacity=2)
    index = ShapeIndex.from_clip(clip)
    t = int(index.frames[np.argsort(-index.opening)[1]])
    face, neutral = clip.face(t), clip.face(clip.neutral_frame)
    req = FrameRequest(
        t,
        frames.get(t),
        face,
        reenact_face(FacePair(face, neutral), FacePair(neutral, neutral), 1.0),
        clip=clip,
    )
    out = WarpRenderer(frames=frames).render(req).image
    gap = lambda p: float(np.linalg.norm(p[13] - p[14]))  # noqa: E731
    assert gap(_retracked(out)) < 0.45 * gap(_retracked(req.frame))


@pytest.mark.footage
def test_tracker_noise_on_a_closed_mouth_takes_no_open_donor():
    """Two closed mouths' slivers differ by more than 5% from noise alone: half a pixel more
    between the inner lips of any closed frame is no opening to fill with teeth."""
    from render_core.warp.mouth_retrieval import opening_grew

    _, clip = _clip("d18")
    index = ShapeIndex.from_clip(clip)
    lower_inner = [95, 88, 178, 87, 14, 317, 402, 318, 324]
    for t in index.frames[index.opening < 0.03][::4]:
        src = clip.face(int(t)).landmarks[:, :2]
        dst = src.copy()
        dst[lower_inner, 1] += 0.5
        assert not opening_grew(src, dst)
        dst[lower_inner, 1] += 15.0  # a real opening still counts
        assert opening_grew(src, dst)


@pytest.mark.footage
def test_an_eye_the_edit_opens_from_a_blink_comes_from_an_open_eye_of_the_clip():
    """A driver looking on while the target blinks: the eye is taken from a frame where it is
    open (the warp alone would stretch the closed lid), and a tracker reads it open."""
    path, clip = _clip("d9")
    frames = ClipFrames(path, capacity=2)
    index = ShapeIndex.from_clip(clip)
    t = int(index.frames[np.argmin(index.eyes[:, 0])])  # the most closed left eye
    face = clip.face(t)
    d = clip.face(int(index.frames[np.argmax(index.eyes[:, 0])]))  # an open-eyed frame's lids
    lm = face.landmarks.copy()
    lids = [159, 145, 158, 153, 160, 144, 386, 374, 385, 380, 387, 373]
    centre = lambda p: p[[33, 133, 263, 362], :2].mean(0)  # noqa: E731
    lm[lids, :2] = d.landmarks[lids, :2] - centre(d.landmarks) + centre(face.landmarks)
    req = FrameRequest(t, frames.get(t), face, replace(face, landmarks=lm), clip=clip)
    out = WarpRenderer(frames=frames).render(req).image
    warp_only = WarpRenderer().render(req).image
    gap = lambda p: float(np.linalg.norm(p[159] - p[145]))  # noqa: E731
    assert gap(_retracked(out)) > 1.3 * gap(_retracked(req.frame))
    assert gap(_retracked(out)) > gap(_retracked(warp_only))
