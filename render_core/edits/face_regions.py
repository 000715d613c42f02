"""MediaPipe face-mesh landmark index sets the face edits act on.

Taken from mediapipe's own connection sets (`solutions.face_mesh_connections`: FACEMESH_LIPS,
FACEMESH_LEFT_EYE, ..., FACEMESH_FACE_OVAL), split into the arcs the edits need and checked on
a tracked frame (tests/core/edits/test_face_regions.py checks every consecutive pair is a mesh
edge and the sides land where they should).

Convention: indices into the 478-point refined mesh. LEFT/RIGHT are the *subject's* sides
(subject's left = image right for an unmirrored frontal face). Arcs run from the outer corner
to the inner corner (eyes) or from the subject's right corner to the left (lips), so the upper
and lower arcs pair up index by index.
"""

from __future__ import annotations

# Lips (each arc without its corners).
MOUTH_CORNER_RIGHT = (61, 78)  # outer, inner
MOUTH_CORNER_LEFT = (291, 308)
UPPER_LIP_OUTER = (185, 40, 39, 37, 0, 267, 269, 270, 409)
UPPER_LIP_INNER = (191, 80, 81, 82, 13, 312, 311, 310, 415)
LOWER_LIP_OUTER = (146, 91, 181, 84, 17, 314, 405, 321, 375)
LOWER_LIP_INNER = (95, 88, 178, 87, 14, 317, 402, 318, 324)
UPPER_LIP = UPPER_LIP_OUTER + UPPER_LIP_INNER
LOWER_LIP = LOWER_LIP_OUTER + LOWER_LIP_INNER
LIPS = UPPER_LIP + LOWER_LIP + MOUTH_CORNER_RIGHT + MOUTH_CORNER_LEFT
LIP_MIDLINE = (0, 13, 14, 17)
INNER_LIP_TOP, INNER_LIP_BOTTOM = 13, 14

# Eyes: (outer corner, inner corner), upper lid arc, lower lid arc (outer -> inner, paired).
RIGHT_EYE_CORNERS = (33, 133)
RIGHT_UPPER_LID = (246, 161, 160, 159, 158, 157, 173)
RIGHT_LOWER_LID = (7, 163, 144, 145, 153, 154, 155)
LEFT_EYE_CORNERS = (263, 362)
LEFT_UPPER_LID = (466, 388, 387, 386, 385, 384, 398)
LEFT_LOWER_LID = (249, 390, 373, 374, 380, 381, 382)
RIGHT_EYE = RIGHT_EYE_CORNERS + RIGHT_UPPER_LID + RIGHT_LOWER_LID
LEFT_EYE = LEFT_EYE_CORNERS + LEFT_UPPER_LID + LEFT_LOWER_LID

# Iris (refined mesh): centre then ring.
LEFT_IRIS = (473, 474, 475, 476, 477)
RIGHT_IRIS = (468, 469, 470, 471, 472)
IRIS = tuple(range(468, 478))

# Eyebrows; the inner ends (near the midline) are what a frown pulls.
RIGHT_EYEBROW = (46, 53, 52, 65, 55, 70, 63, 105, 66, 107)
LEFT_EYEBROW = (276, 283, 282, 295, 285, 300, 293, 334, 296, 336)
RIGHT_BROW_INNER = (55, 65, 107, 66)
LEFT_BROW_INNER = (285, 295, 336, 296)
RIGHT_BROW_OUTER = (46, 70)
LEFT_BROW_OUTER = (276, 300)

# Face oval parts: the jaw below the mouth corners moves with the jaw; the sides at the
# cheekbones and temples do not.
JAW_LINE = (58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288)
OVAL_UPPER_SIDES = (234, 93, 127, 454, 323, 356)
CHIN = 152
FOREHEAD_TOP = 10
NOSE_TIP = 1
NOSE = (1, 2, 4, 5, 6, 19, 45, 48, 64, 94, 97, 98, 115, 168, 195, 197, 220, 275, 278, 294, 326, 327, 344, 440)
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip
