"""Temporal stabilization for renderers without a temporal model of their own.

The warp renderer is a pure function of the frame and the edited geometry, so any jitter in
the edit displacement (edited minus tracked landmarks: head-space round trips amplify tracker
noise) shows as wobble. We One-Euro filter that displacement per point, which keeps fast
intended edits (keyframe ramps) and removes frame-to-frame noise. The tracked geometry itself
is already smoothed by the tracker.

A face driven by another clip (reenactment) is filtered as it is asked for, not as a
displacement: there the displacement holds the target's own talking, which moves as fast as
the driver's, and filtering it let the target's mouth leak into the driven one for the
filter's lag (d9 driving d18: the re-tracked mouth followed the driver's at 0.76 correlation,
the asked-for one at 0.87).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from render_core.render.frame_edits import EditedFrame
from render_core.states import BodyState
from render_core.tracking.one_euro import OneEuroFilter, OneEuroParams

DISPLACEMENT_PARAMS = OneEuroParams(min_cutoff=1.5, beta=0.3, d_cutoff=1.0)


class EditStabilizer:
    """Filters the edit displacement of consecutive frames; `reset()` at sequence breaks."""

    def __init__(self, fps: float, params: OneEuroParams = DISPLACEMENT_PARAMS) -> None:
        self._face = OneEuroFilter(params, fps)
        self._iris = OneEuroFilter(params, fps)
        self._body = OneEuroFilter(params, fps)
        self._driven: bool | None = None  # how the face filters' state was measured

    def reset(self) -> None:
        for f in (self._face, self._iris, self._body):
            f(None)
        self._driven = None

    def __call__(self, e: EditedFrame) -> EditedFrame:
        face_edit, body_edit = e.face_edit, e.body_edit
        if e.face is not None and face_edit is not None:
            if self._driven is not None and self._driven != e.face_driven:
                self._face(None)  # displacement and absolute geometry do not mix
                self._iris(None)
            self._driven = e.face_driven
            base_lm = 0.0 if e.face_driven else e.face.landmarks
            base_iris = 0.0 if e.face_driven else e.face.iris
            d = self._face(face_edit.landmarks - base_lm)
            di = self._iris(face_edit.iris - base_iris)
            face_edit = replace(
                face_edit,
                landmarks=(base_lm + d).astype(np.float32),
                iris=(base_iris + di).astype(np.float32),
            )
        else:
            self._face(None)
            self._iris(None)
            self._driven = None
        if e.body is not None and body_edit is not None:
            d = self._body(body_edit.joints[:, :3] - e.body.joints[:, :3])
            j = body_edit.joints.copy()
            j[:, :3] = e.body.joints[:, :3] + d
            body_edit = BodyState(j.astype(np.float32))
        else:
            self._body(None)
        return replace(e, face_edit=face_edit, body_edit=body_edit)
