import json
import math

import numpy as np
import pytest

from render_core.errors import InputError
from render_core.geometry.cameras import intrinsics, invert_rigid, look_at
from render_core.render.nerfstudio_path import read_camera_path, write_camera_path
from render_core.states import CameraState

SIZE = (64, 48)
UP = np.array([0.0, -1.0, 0.0])


def _path_doc(c2w: list[float], fov: float = 90.0) -> dict:
    return {
        "render_width": SIZE[0],
        "render_height": SIZE[1],
        "camera_path": [{"camera_to_world": c2w, "fov": fov}],
    }


def _write(tmp_path, doc) -> str:
    p = tmp_path / "path.json"
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(p)


def _project(cam: CameraState, point) -> tuple[np.ndarray, float]:
    """(pixel (2,), depth) of a world point seen by an OpenCV camera."""
    pc = cam.world_to_camera[:3, :3] @ np.asarray(point, float) + cam.world_to_camera[:3, 3]
    return (cam.intrinsics @ (pc / pc[2]))[:2], float(pc[2])


def test_an_identity_nerfstudio_camera_looks_down_world_minus_z(tmp_path):
    """OpenGL identity: at the origin, y up, looking down -z. As an OpenCV camera its +z
    (forward) is world -z and its +y (down) is world -y."""
    cam = read_camera_path(_write(tmp_path, _path_doc(np.eye(4).reshape(-1).tolist()))).cameras[0]
    np.testing.assert_allclose(invert_rigid(cam.world_to_camera)[:3, :3], np.diag([1.0, -1.0, -1.0]))
    centre, depth = _project(cam, [0.0, 0.0, -5.0])
    assert depth == pytest.approx(5.0)  # in front, on the optical axis
    np.testing.assert_allclose(centre, [SIZE[0] / 2 - 0.5, SIZE[1] / 2 - 0.5])
    above, _ = _project(cam, [0.0, 1.0, -5.0])  # world up is up in the image (smaller v)
    right, _ = _project(cam, [1.0, 0.0, -5.0])
    assert above[1] < centre[1] and right[0] > centre[0]
    assert _project(cam, [0.0, 0.0, 5.0])[1] < 0  # behind it
    # fov 90 degrees over 48 rows: f = 24 px, square pixels
    np.testing.assert_allclose(np.diag(cam.intrinsics)[:2], [24.0, 24.0])


def _cameras(n: int = 7) -> list[CameraState]:
    rng = np.random.default_rng(1)
    out = []
    for i in range(n):
        eye = rng.normal(0, 3, 3)
        c2w = look_at(eye, rng.normal(0, 0.3, 3), UP)
        f = 30.0 + 5 * i
        k = intrinsics(f, f, SIZE[0] / 2 - 0.5, SIZE[1] / 2 - 0.5)
        out.append(CameraState(invert_rigid(c2w), k, SIZE, np.zeros(3), UP))
    return out


def test_opencv_cameras_round_trip_through_a_nerfstudio_file(tmp_path):
    cams = _cameras()
    path = tmp_path / "out.json"
    assert write_camera_path(cams, path, fps=24.0) == []
    back = read_camera_path(path, np.zeros(3), UP)
    assert back.fps == pytest.approx(24.0) and len(back.cameras) == len(cams)
    for a, b in zip(cams, back.cameras, strict=True):
        np.testing.assert_allclose(b.world_to_camera, a.world_to_camera, atol=1e-6)
        np.testing.assert_allclose(b.intrinsics, a.intrinsics, atol=1e-6)
        assert b.size == a.size


def test_the_file_holds_opengl_cameras_nerfstudio_can_read(tmp_path):
    """Each camera's -z column (OpenGL forward) is the OpenCV camera's forward; fov is vertical."""
    cams = _cameras(2)
    write_camera_path(cams, tmp_path / "out.json", fps=30.0)
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["camera_type"] == "perspective" and (doc["render_width"], doc["render_height"]) == SIZE
    assert doc["seconds"] == pytest.approx(2 / 30) and len(doc["keyframes"]) == 2
    for cam, entry in zip(cams, doc["camera_path"], strict=True):
        gl = np.array(entry["camera_to_world"]).reshape(4, 4)  # row-major
        cv = invert_rigid(cam.world_to_camera)
        np.testing.assert_allclose(-gl[:3, 2], cv[:3, 2], atol=1e-12)
        np.testing.assert_allclose(gl[:3, 3], cv[:3, 3], atol=1e-12)
        assert entry["fov"] == pytest.approx(math.degrees(2 * math.atan(24 / cam.intrinsics[1, 1])))


def test_intrinsics_the_file_cannot_hold_are_written_with_a_warning(tmp_path):
    cam = _cameras(1)[0]
    k = cam.intrinsics.copy()
    k[0, 0] *= 1.1
    warnings = write_camera_path([CameraState(cam.world_to_camera, k, SIZE)], tmp_path / "p.json", 30.0)
    assert len(warnings) == 1 and "non-square" in warnings[0]


EYE = np.eye(4).reshape(-1).tolist()
BAD = {
    "not JSON": ("{camera_path: [", "is not JSON"),
    "a list": ("[1, 2]", "not a nerfstudio camera path"),
    "no cameras": ({"render_width": 64, "render_height": 48, "camera_path": []}, "has no cameras"),
    "no camera_path": ({"render_width": 64, "render_height": 48}, "missing key 'camera_path'"),
    "no height": (
        {"render_width": 64, "camera_path": [{"camera_to_world": EYE, "fov": 50}]},
        "render_height",
    ),
    "no fov": ({**_path_doc(EYE), "camera_path": [{"camera_to_world": EYE}]}, "camera 0: missing key 'fov'"),
    "3x4 matrix": (_path_doc(EYE[:12]), "camera 0: camera_to_world has shape (12,)"),
    "text matrix": (_path_doc(["a"] * 16), "camera 0: camera_to_world is not a list of numbers"),
    "singular": (_path_doc(np.diag([1.0, 0.0, 1.0, 1.0]).reshape(-1).tolist()), "not invertible"),
    "scaled": (_path_doc(np.diag([2.0, 2.0, 2.0, 1.0]).reshape(-1).tolist()), "scales or shears"),
    "mirror": (_path_doc(np.diag([-1.0, 1.0, 1.0, 1.0]).reshape(-1).tolist()), "mirrors"),
    "fov 180": (_path_doc(EYE, fov=180.0), "fov 180.0 is not below 180"),
    "fisheye": ({**_path_doc(EYE), "camera_type": "fisheye"}, "camera_type 'fisheye' is not supported"),
    "zero seconds": ({**_path_doc(EYE), "seconds": 0}, "seconds 0 is not a number above 0"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_malformed_file_is_one_input_error_naming_it(tmp_path, case):
    doc, problem = BAD[case]
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as e:
        read_camera_path(path)
    line = e.value.one_line()
    assert line.startswith(path) and problem in line and "\n" not in line, line


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_camera_path(tmp_path / "none.json")
