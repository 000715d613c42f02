"""The camera resolver: an image set's camera path plus the timeline's viewpoint layers."""

import numpy as np

from render_core.edits.layer import EditLayer
from render_core.edits.params import ViewpointParams
from render_core.edits.timeline import EditTimeline
from render_core.edits.viewpoint_ops import apply_viewpoint, orbit_path
from render_core.geometry.cameras import invert_rigid, look_at
from render_core.render.frame_edits import resolve_camera
from render_core.render.sources import EditSources
from render_core.states import CameraState


def _path(n: int) -> tuple[CameraState, ...]:
    c2w = look_at(np.array([0.0, 0.0, -4.0]), np.zeros(3), np.array([0.0, -1.0, 0.0]))
    k = np.array([[50.0, 0, 31.5], [0, 50.0, 31.5], [0, 0, 1]])
    start = CameraState(invert_rigid(c2w), k, (64, 64), np.zeros(3), np.array([0.0, -1.0, 0.0]))
    return tuple(orbit_path(start, n))


def test_frames_without_keys_keep_the_path_and_keyed_frames_move_the_camera():
    path = _path(10)
    sources = EditSources(None, cameras=path)
    layer = EditLayer("viewpoint", 5, 9, {5: ViewpointParams(orbit_pitch=20.0, distance=10.0)})
    timeline = EditTimeline((layer,))
    tracked, edited = resolve_camera(sources, timeline, 2)
    assert tracked is path[2] and edited is None
    tracked, edited = resolve_camera(sources, timeline, 7)
    want = apply_viewpoint(path[7], ViewpointParams(orbit_pitch=20.0, distance=10.0))
    np.testing.assert_allclose(edited.world_to_camera, want.world_to_camera, atol=1e-12)
    assert resolve_camera(sources, timeline, 10) == (None, None)  # past the path's end


class _HeightRenderer:
    """Draws a 4x4 image whose value is a tenth of the camera's height over the centre (world -y)."""

    def render_camera(self, cam: CameraState) -> np.ndarray:
        return np.full((4, 4, 3), -0.1 * invert_rigid(cam.world_to_camera)[1, 3], np.float32)


def test_a_path_frame_is_drawn_from_the_edited_camera_at_the_path_size():
    from render_core.render.camera_path import path_frame

    path = _path(10)
    sources = EditSources(None, cameras=path)
    timeline = EditTimeline((EditLayer("viewpoint", 0, 9, {0: ViewpointParams(orbit_pitch=30.0)}),))
    edited = path_frame(_HeightRenderer(), sources, timeline, 3)
    assert edited.shape == (64, 64, 3)  # the path camera's frame, not the model's size
    np.testing.assert_allclose(edited, 0.4 * np.sin(np.radians(30.0)), atol=1e-5)
    np.testing.assert_allclose(path_frame(_HeightRenderer(), sources, timeline, 3, edits=False), 0, atol=1e-6)
