"""The reenactment benchmark's measures read what they claim: blur lowers the sharpness ratio,
an opened mouth / a wider mouth / a closed eye raise their own channel only."""

import cv2
import numpy as np

from bench.reenact import _measures, face_box, sharpness


def test_sharpness_reads_blur():
    rng = np.random.default_rng(0)
    img = rng.random((64, 64, 3)).astype(np.float32)
    assert sharpness(cv2.GaussianBlur(img, (0, 0), 1.0)) < 0.5 * sharpness(img)


def test_measures_follow_each_channel():
    from render_core.geometry.canonical_face import canonical_face

    lm = np.array(canonical_face(), np.float64)[:, :2] * 10.0 + 200.0
    base = _measures(lm)
    opened = lm.copy()
    opened[14, 1] += 8.0
    wide = lm.copy()
    wide[61, 0] -= 5.0
    wide[291, 0] += 5.0
    shut = lm.copy()
    shut[[386, 159], 1] = lm[[374, 145], 1]
    d_open, d_wide, d_shut = _measures(opened) - base, _measures(wide) - base, _measures(shut) - base
    assert d_open[0] > 0 and abs(d_open[1]) < 1e-9 and abs(d_open[2]) < 1e-9
    assert d_wide[1] > 0 and abs(d_wide[0]) < 1e-9
    assert d_shut[2] > 0 and abs(d_shut[0]) < 1e-9


def test_face_box_stays_inside_the_frame():
    lm = np.array([[-5.0, 10.0], [50.0, 120.0]])
    ys, xs = face_box(lm, (100, 40))
    assert xs.start == 0 and xs.stop == 40 and ys.stop == 100


def test_eye_luma_reads_a_dark_fill_below_skin():
    from bench.reenact import EYE_BOXES, eye_luma
    from render_core.geometry.canonical_face import canonical_face

    lm = np.array(canonical_face(), np.float64)[:, :2] * 10.0 + 200.0
    skin = np.full((400, 400, 3), (0.8, 0.6, 0.5), np.float32)
    smudged = skin.copy()
    for a, b in EYE_BOXES:  # a dark blot over each eye, as a lid drawn as a dark fill
        c = ((lm[a] + lm[b]) / 2).round().astype(int)
        cv2.ellipse(smudged, tuple(int(v) for v in c), (int(abs(lm[a, 0] - lm[b, 0]) / 2), 4), 0, 0, 360,
                    (0.1, 0.08, 0.08), -1)  # fmt: skip
    assert eye_luma(smudged, lm) < 0.6 * eye_luma(skin, lm)
