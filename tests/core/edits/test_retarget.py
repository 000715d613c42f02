"""Expression retargeting across faces: the driver's big grin becomes the target's big grin,
and a driver's closed eye closes the target's eye whatever the two eyes' sizes."""

from dataclasses import replace

import numpy as np
import pytest

from render_core.edits.expression import apply_expression
from render_core.edits.params import ExpressionParams
from render_core.edits.reenact import FacePair, reenact_face
from render_core.edits.retarget import ExpressionRange, lid_ratio
from render_core.geometry.head_space import from_head_space, to_head_space


def _state(base, head):
    return replace(base, landmarks=from_head_space(head, base.head_pose, base.focal, base.principal))


def _range(neutral, opens):
    seq = np.stack([apply_expression(neutral, ExpressionParams(jaw_open=v), neutral) for v in opens])
    return ExpressionRange.of(seq)


def _gap(state) -> float:
    h = to_head_space(state.landmarks, state.head_pose, state.focal, state.principal)
    return float(np.linalg.norm(h[13] - h[14]))


def test_mouth_is_scaled_by_the_targets_own_range(face_state, neutral_head):
    opened = apply_expression(neutral_head, ExpressionParams(jaw_open=0.3), neutral_head)
    driver = FacePair(_state(face_state, opened), face_state)
    target = FacePair(face_state, face_state)
    small = _range(neutral_head, np.linspace(0, 0.3, 7))  # a driver that opens to 0.3 at most
    wide = _range(neutral_head, np.linspace(0, 0.6, 7))  # a target that opens twice as far
    plain = reenact_face(target, driver, 1.0)
    same = reenact_face(target, driver, 1.0, ranges=(small, small))
    grown = reenact_face(target, driver, 1.0, ranges=(wide, small))
    assert _gap(same) == pytest.approx(_gap(plain), rel=0.02)
    # the driver's widest becomes (about) the target's widest: mouth and smile ranges both double
    assert 1.35 * _gap(plain) < _gap(grown) < 2.1 * _gap(plain)
    # the eyes and nose are not the mouth's business
    np.testing.assert_allclose(grown.landmarks[[33, 263, 1], :2], plain.landmarks[[33, 263, 1], :2], atol=0.3)


def test_closed_eye_closes_a_differently_sized_eye(face_state, neutral_head):
    shut = apply_expression(neutral_head, ExpressionParams(blink_left=1.0), neutral_head)
    driver = FacePair(_state(face_state, shut), face_state)
    big_eyes = neutral_head.copy()
    big_eyes[[466, 388, 387, 386, 385, 384, 398], 1] -= 0.3  # the target's upper lid sits higher
    target_state = _state(face_state, big_eyes)
    target = FacePair(target_state, target_state)
    r = ExpressionRange(0.1, 0.05, 0.05)
    out = reenact_face(target, driver, 1.0, ranges=(r, r))
    head = to_head_space(out.landmarks, out.head_pose, out.focal, out.principal)
    assert lid_ratio(head, big_eyes, 0) < 0.05  # closed, not left open by the driver's smaller gap
    assert lid_ratio(head, big_eyes, 1) == pytest.approx(1.0, abs=0.02)
    copied = reenact_face(target, driver, 1.0)  # offsets copied as they are
    head_c = to_head_space(copied.landmarks, copied.head_pose, copied.focal, copied.principal)
    assert lid_ratio(head_c, big_eyes, 0) > 0.2


def test_a_blink_the_tracker_reads_as_half_closed_closes_the_target(face_state, neutral_head):
    """MediaPipe rarely reports a real blink below ~0.4 of the open gap: a driver that blinks
    (eye_floor < 0.6) has that floor read as closed."""
    half = neutral_head.copy()
    up, low = [466, 388, 387, 386, 385, 384, 398], [249, 390, 373, 374, 380, 381, 382]
    half[up] = neutral_head[low] + 0.4 * (neutral_head[up] - neutral_head[low])
    driver = FacePair(_state(face_state, half), face_state)
    target = FacePair(face_state, face_state)
    blinks, never = ExpressionRange(0.1, 0.05, 0.05, 0.4), ExpressionRange(0.1, 0.05, 0.05, 0.9)
    for floor_range, closed in ((blinks, True), (never, False)):
        out = reenact_face(target, driver, 1.0, ranges=(floor_range, floor_range))
        head = to_head_space(out.landmarks, out.head_pose, out.focal, out.principal)
        r = lid_ratio(head, neutral_head, 0)
        assert (r < 0.05) if closed else (0.35 < r < 0.45)
