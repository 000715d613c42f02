"""The warp renderer's edit stabilizer: keyed edits are filtered as displacements, a face driven
by another clip is rendered as asked."""

from dataclasses import replace

import numpy as np

from render_core.render.frame_edits import EditedFrame
from render_core.render.stabilize import EditStabilizer
from render_core.states import FaceState


def _face(shift: float) -> FaceState:
    lm = np.zeros((478, 3), np.float32)
    lm[:, 0] = np.linspace(0, 100, 478) + shift
    return FaceState(lm, np.eye(4, dtype=np.float32), np.zeros((2, 2), np.float32), 500.0, (50.0, 50.0))


def test_a_keyed_edit_is_smoothed_and_a_driven_face_is_left_as_asked():
    """The target talks (its tracked face jumps 6 px on frame 2) while the edit asks for a still
    face: filtering the displacement lets the target's jump leak in; a driven face takes none."""
    still = _face(0.0)
    for driven, leak in ((False, True), (True, False)):
        stab = EditStabilizer(30.0)
        out = None
        for t in range(4):
            tracked = _face(6.0 if t >= 2 else 0.0)
            out = stab(EditedFrame(tracked, replace(still), None, None, face_driven=driven))
            if t == 2:
                moved = float(np.abs(out.face_edit.landmarks - still.landmarks).max())
                assert (moved > 0.5) == leak, (driven, moved)
        assert out is not None
