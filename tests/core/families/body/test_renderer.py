"""The body renderer on a tiny body checkpoint (2 training steps on 20 real frames): frames of the
request's size, a person mask, temporal feedback with reset, previews at a lower resolution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from render_core.contract import FrameRequest
from render_core.families.body.data import PersonCrop
from render_core.families.body.renderer import crop_for_frame, figure_mask, grow_mask, load_renderer
from render_core.jobs import null_context
from render_core.states import BodyState
from tests.conftest import footage_path

CLIP = "B_musepose_ubcfashion_91BjuE6irxS.mp4"
N_FRAMES = 20
TINY = {"resolution": 64, "width": 32, "d_layers": 2, "d_scales": 1, "n_blocks": 1, "face_size": 16,
        "face_start": 0.5, "batch_size": 1, "eval_frames": 2}  # fmt: skip


@pytest.fixture(scope="module")
def tiny_body(tmp_path_factory) -> tuple[Path, Path, np.ndarray, np.ndarray]:
    """(checkpoint dir, clip, joints (N, 33, 4) px, frames (N, H, W, 3) float32) of a 2-step model."""
    from render_core.families.train import train_model
    from render_core.tracking.tracks import BodyTrack, Tracks
    from render_core.training.trainer import TrainConfig
    from tests.core.families.body.tracked_frames import track_first_frames

    clip = footage_path(CLIP)
    joints, _, frames = track_first_frames(clip, N_FRAMES)
    root = tmp_path_factory.mktemp("body_renderer")
    Tracks(None, BodyTrack(joints, np.isfinite(joints[:, 0, 0]))).save(root / "tracks.npz")
    cfg = TrainConfig("body", [clip], root / "ck", "cpu-preview", tracks=[root / "tracks.npz"], steps=2,
                      device="cpu", overrides=TINY, max_frames=N_FRAMES, tensorboard=False)  # fmt: skip
    result = train_model(cfg, null_context())
    return result.checkpoint, clip, joints, np.stack(frames)


def _request(t: int, frame: np.ndarray, joints: np.ndarray, mask=None) -> FrameRequest:
    return FrameRequest(t, frame, body=BodyState(joints), body_edit=BodyState(joints), person_mask=mask)


def test_renders_full_frames_with_a_person_mask(tiny_body):
    ck, _, joints, frames = tiny_body
    r = load_renderer(ck, "cpu")
    assert r.name == "body" and r.temporal
    assert r.meta["frame_size"] == [frames.shape[2], frames.shape[1]]
    out = r.render(_request(0, frames[0], joints[0]))
    h, w = frames.shape[1:3]
    assert out.image.shape == (h, w, 3) and out.image.dtype == np.float32
    assert out.mask.shape == (h, w) and out.mask.min() >= 0.0 and out.mask.max() <= 1.0
    # the mask covers the person (the hips) and nothing far from them (the frame corners)
    hip = joints[0, [23, 24], :2].mean(0).round().astype(int)
    assert out.mask[hip[1], hip[0]] > 0.9
    assert out.mask[:5, :5].max() == 0.0 and out.mask[-5:, -5:].max() == 0.0
    outside = out.mask == 0
    assert np.array_equal(out.image[outside], frames[0][outside])  # unchanged outside the mask
    assert np.abs(out.image - frames[0]).max() > 0.01  # the model painted something


def _corner_person(r, frames: np.ndarray) -> tuple[np.ndarray, int, int]:
    """A 5x5 person mask at a corner of the crop, off the figure, and its centre (x, y)."""
    crop = PersonCrop(**r.meta["crop"])
    person = np.zeros(frames.shape[1:3], np.float32)
    cx, cy = int(crop.x0 + 3 / crop.s), int(crop.y0 + 3 / crop.s)
    person[cy - 2 : cy + 3, cx - 2 : cx + 3] = 1.0
    return person, cx, cy


def test_person_mask_is_united_with_the_figure_hull(tiny_body):
    ck, _, joints, frames = tiny_body
    r = load_renderer(ck, "cpu")
    person, cx, cy = _corner_person(r, frames)
    base = r.render(_request(0, frames[0], joints[0]))
    r.reset()
    with_person = r.render(_request(0, frames[0], joints[0], person))
    assert base.mask[cy, cx] < 0.05 and with_person.mask[cy, cx] > 0.9


def test_previous_output_is_fed_back_until_reset_where_the_model_was_trained_so(tiny_body, tmp_path):
    """The paper's feedback (a model trained with `feedback`): the same pose renders otherwise
    after a generated frame, and as at first after a reset. The preset's warp-guided model has
    none: its moved real frames carry the sequence, so the same request renders the same."""
    from render_core.families.train import train_model
    from render_core.training.trainer import TrainConfig

    ck, clip, joints, frames = tiny_body
    preset = load_renderer(ck, "cpu")
    first = preset.render(_request(0, frames[0], joints[0])).image
    np.testing.assert_allclose(preset.render(_request(0, frames[0], joints[0])).image, first, atol=1e-5)
    tracks = ck.parent / "tracks.npz"
    over = {**TINY, "feedback": True, "correction_pool": 1}
    cfg = TrainConfig("body", [clip], tmp_path / "fb", "cpu-preview", tracks=[tracks], steps=2,
                      device="cpu", overrides=over, max_frames=N_FRAMES, tensorboard=False)  # fmt: skip
    r = load_renderer(train_model(cfg, null_context()).checkpoint, "cpu")
    first = r.render(_request(0, frames[0], joints[0])).image
    again = r.render(_request(0, frames[0], joints[0])).image  # same pose, but after a generated frame
    r.reset()
    fresh = r.render(_request(0, frames[0], joints[0])).image
    assert np.abs(first - again).max() > 1e-3
    np.testing.assert_allclose(first, fresh, atol=1e-5)


def test_no_body_leaves_the_frame_and_restarts(tiny_body):
    ck, _, joints, frames = tiny_body
    r = load_renderer(ck, "cpu")
    first = r.render(_request(0, frames[0], joints[0])).image
    empty = r.render(FrameRequest(1, frames[1]))
    assert empty.mask.max() == 0.0 and np.array_equal(empty.image, frames[1])
    np.testing.assert_allclose(r.render(_request(0, frames[0], joints[0])).image, first, atol=1e-5)


def test_half_size_preview_uses_the_rescaled_crop(tiny_body):
    import cv2

    ck, _, joints, frames = tiny_body
    r = load_renderer(ck, "cpu")
    h, w = frames.shape[1:3]
    small = cv2.resize(frames[0], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    j = joints[0].copy()
    j[:, :3] *= (w // 2) / w
    out = r.render(_request(0, small, j))
    assert out.image.shape == small.shape and out.mask.shape == small.shape[:2]
    hip = j[[23, 24], :2].mean(0).round().astype(int)
    assert out.mask[hip[1], hip[0]] > 0.9


def test_crop_for_frame_maps_scaled_joints_to_the_same_model_pixels():
    crop = PersonCrop(10.0, 20.0, 0.5, 64, 32)
    j = np.array([[50.0, 80.0, 4.0, 1.0]] * 33, np.float32)
    half = j.copy()
    half[:, :3] *= 0.5
    np.testing.assert_allclose(crop_for_frame(crop, (400, 300), (200, 150)).joints(half), crop.joints(j))
    assert crop_for_frame(crop, (0, 0), (200, 150)) is crop


def test_figure_mask_grows_and_is_empty_without_a_figure():
    pose = np.zeros((64, 32, 3), np.float32)
    assert figure_mask(pose, 10.0).max() == 0.0
    pose[20:40, 15:17] = 1.0
    m = figure_mask(pose, 10.0)
    assert m[30, 16] > 0.9 and m[30, 16 + 3] > 0.5  # 3.5 px of growth around a 2 px wide limb
    assert m[5, 16] == 0.0 and m[60, 16] == 0.0


def test_grow_mask_moves_the_soft_edge_outward():
    m = np.zeros((40, 40), np.float32)
    m[15:25, 15:25] = 1.0
    m[15:25, 25] = 0.4  # a soft edge column
    g = grow_mask(m, 3)
    assert g[20, 25] == 1.0 and g[20, 27] == 1.0  # the old edge is now fully inside
    assert g[20, 28] == pytest.approx(0.4) and g[20, 29] == 0.0  # the soft edge sits 3 px further
    assert grow_mask(m, 0.2) is m


def test_grow_mask_in_a_box_matches_the_full_dilation_there():
    rng = np.random.default_rng(0)
    m = (rng.random((60, 80)) > 0.97).astype(np.float32)
    full, boxed = grow_mask(m, 4), grow_mask(m, 4, (10, 5, 50, 70))
    assert np.array_equal(boxed[5:60, 10:50], full[5:60, 10:50])
    assert boxed[:5].max() == 0 and boxed[:, :10].max() == 0 and boxed[:, 50:].max() == 0


def test_the_original_persons_soft_edge_is_painted_over(tiny_body):
    ck, _, joints, frames = tiny_body
    r = load_renderer(ck, "cpu")
    person, cx, cy = _corner_person(r, frames)
    person[cy - 2 : cy + 3, cx + 3] = 0.3  # the segmentation's soft edge
    out = r.render(_request(0, frames[0], joints[0], person))
    assert out.mask[cy, cx + 3] > 0.9  # the edge is replaced, not blended with the old person


def test_each_frame_reports_its_pose_novelty_and_old_checkpoints_none(tiny_body, tmp_path):
    import json
    import shutil

    ck, _, joints, frames = tiny_body
    r = load_renderer(ck, "cpu")
    t = int(np.nonzero(np.isfinite(joints[:, 0, 0]))[0][0])
    seen = r.render(_request(t, frames[t], joints[t])).notes["pose_novelty"]
    raised = joints[t].copy()
    torso = np.linalg.norm(raised[[11, 12], :2].mean(0) - raised[[23, 24], :2].mean(0))
    raised[[15, 16], 1] -= 2.0 * torso  # both wrists two torso lengths up
    unseen = r.render(_request(t, frames[t], raised)).notes["pose_novelty"]
    assert seen < 0.05 and unseen > 0.25  # two of 13 joints moved 2 torso lengths
    old = tmp_path / "old"  # a checkpoint written before the pose bank
    shutil.copytree(ck, old)
    meta = json.loads((old / "model.json").read_text())
    del meta["pose_bank"]
    (old / "model.json").write_text(json.dumps(meta))
    assert (
        load_renderer(old, "cpu").render(_request(t, frames[t], joints[t])).notes.get("pose_novelty") is None
    )


def test_a_batch_renders_what_frame_by_frame_renders(tiny_body):
    """An export's batch (frames prepared on a worker while the generator draws) gives the frames,
    masks and notes of rendering one at a time, in order, a frame without a pose included."""
    ck, _, joints, frames = tiny_body
    edit = joints.copy()
    edit[:, 13:16, 1] -= 6.0  # an arm moved, so the warp has work to do
    requests = [FrameRequest(t, frames[t], body=BodyState(joints[t]), body_edit=BodyState(edit[t]))
                for t in range(5)]  # fmt: skip
    requests.insert(3, FrameRequest(3, frames[3]))  # no pose: a sequence break inside the batch
    one = load_renderer(ck, "cpu")
    want = [one.render(q) for q in requests]
    batch = load_renderer(ck, "cpu")
    assert batch.batch_size > 1
    got = batch.render_batch(requests)
    for w, g in zip(want, got, strict=True):
        np.testing.assert_allclose(g.image, w.image, atol=1e-4)
        np.testing.assert_array_equal(g.mask, w.mask)
        assert g.notes.keys() == w.notes.keys()
