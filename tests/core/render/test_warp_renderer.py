"""The classical renderer through the Renderer protocol."""

from __future__ import annotations

import numpy as np

from render_core.contract import FrameRequest, Renderer
from render_core.render.warp_renderer import WarpRenderer
from render_core.states import BodyState, FaceState
from tests.core.render.real_frames import tracked_face
from tests.core.warp.test_body import _rotate_about, _synthetic_person


def _face_state(lm: np.ndarray) -> FaceState:
    return FaceState(
        landmarks=lm,
        head_pose=np.eye(4, dtype=np.float32),
        iris=lm[[473, 468], :2],
        focal=500.0,
        principal=(0, 0),
    )


def test_protocol_and_passthrough(talking_head):
    frame, lm = tracked_face(talking_head)
    r = WarpRenderer()
    assert r.name == "warp" and r.temporal is False
    renderer: Renderer = r
    out = renderer.render(FrameRequest(index=0, frame=frame, face=_face_state(lm)))
    assert np.array_equal(out.image, frame) and out.mask.max() == 0.0
    assert out.image is not frame  # the caller's frame is never aliased


def test_face_edit_and_gaze(talking_head):
    frame, lm = tracked_face(talking_head)
    edited = lm.copy()
    edited[:, 0] += 3.0
    state = _face_state(lm)
    edit = FaceState(edited, state.head_pose, state.iris + 3.0, state.focal, state.principal)
    out = WarpRenderer().render(FrameRequest(index=0, frame=frame, face=state, face_edit=edit))
    nose = lm[1, :2].astype(int)
    assert out.mask[nose[1], nose[0]] > 0.99
    assert np.abs(out.image - frame).max() > 0.05
    assert out.mask[0, 0] == 0.0 and np.array_equal(out.image[0, 0], frame[0, 0])


def test_body_edit_streams_background():
    frame, person, joints, _ = _synthetic_person()
    dst = _rotate_about(joints, 13, [15, 17, 19, 21], -np.pi / 2)
    r = WarpRenderer()
    for i in range(3):
        req = FrameRequest(i, frame, body=BodyState(joints), body_edit=BodyState(dst), person_mask=person)
        out = r.render(req)
    assert len(r.background) == 3
    wx, wy = np.round(dst[15, :2]).astype(int)
    assert out.mask[wy, wx] > 0.9 and out.image[wy, wx, 0] > 0.7
    r.reset()
    assert len(r.background) == 0
