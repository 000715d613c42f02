import numpy as np
from mediapipe.python.solutions import face_mesh_connections as fmc

from render_core.edits import face_regions as R


def _edges(conns):
    return {frozenset(e) for e in conns}


def test_arcs_follow_mediapipe_edges():
    lips, le, re = _edges(fmc.FACEMESH_LIPS), _edges(fmc.FACEMESH_LEFT_EYE), _edges(fmc.FACEMESH_RIGHT_EYE)
    for arc, edges in [
        ((R.MOUTH_CORNER_RIGHT[0], *R.UPPER_LIP_OUTER, R.MOUTH_CORNER_LEFT[0]), lips),
        ((R.MOUTH_CORNER_RIGHT[0], *R.LOWER_LIP_OUTER, R.MOUTH_CORNER_LEFT[0]), lips),
        ((R.MOUTH_CORNER_RIGHT[1], *R.UPPER_LIP_INNER, R.MOUTH_CORNER_LEFT[1]), lips),
        ((R.MOUTH_CORNER_RIGHT[1], *R.LOWER_LIP_INNER, R.MOUTH_CORNER_LEFT[1]), lips),
        ((R.LEFT_EYE_CORNERS[0], *R.LEFT_UPPER_LID, R.LEFT_EYE_CORNERS[1]), le),
        ((R.LEFT_EYE_CORNERS[0], *R.LEFT_LOWER_LID, R.LEFT_EYE_CORNERS[1]), le),
        ((R.RIGHT_EYE_CORNERS[0], *R.RIGHT_UPPER_LID, R.RIGHT_EYE_CORNERS[1]), re),
        ((R.RIGHT_EYE_CORNERS[0], *R.RIGHT_LOWER_LID, R.RIGHT_EYE_CORNERS[1]), re),
    ]:
        assert all(frozenset(p) in edges for p in zip(arc[:-1], arc[1:], strict=True)), arc
    idx = {i for e in fmc.FACEMESH_LEFT_EYEBROW for i in e}
    assert set(R.LEFT_EYEBROW) == idx
    assert set(R.RIGHT_EYEBROW) == {i for e in fmc.FACEMESH_RIGHT_EYEBROW for i in e}
    assert set(R.FACE_OVAL) == {i for e in fmc.FACEMESH_FACE_OVAL for i in e}
    assert set(R.JAW_LINE) <= set(R.FACE_OVAL) and set(R.LEFT_IRIS[1:]) == {
        i for e in fmc.FACEMESH_LEFT_IRIS for i in e
    }


def test_sides_and_lids_on_a_tracked_frame(tracked_frame_landmarks):
    lm = tracked_frame_landmarks  # an unmirrored frontal talking head: subject's left = image right
    assert lm[R.MOUTH_CORNER_LEFT[0], 0] > lm[R.MOUTH_CORNER_RIGHT[0], 0]
    assert lm[R.LEFT_EYE_CORNERS[0], 0] > lm[R.RIGHT_EYE_CORNERS[0], 0]
    assert lm[R.LEFT_IRIS[0], 0] > lm[R.RIGHT_IRIS[0], 0]
    for up, lo in ((R.LEFT_UPPER_LID, R.LEFT_LOWER_LID), (R.RIGHT_UPPER_LID, R.RIGHT_LOWER_LID)):
        assert np.all(lm[list(up), 1] < lm[list(lo), 1] + 0.5)  # upper lid above (smaller y)
    assert lm[R.CHIN, 1] > lm[R.INNER_LIP_BOTTOM, 1] > lm[R.NOSE_TIP, 1] > lm[R.FOREHEAD_TOP, 1]
