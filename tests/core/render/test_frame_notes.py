"""What an export reports of the poses it asked a body model for: unseen frames as runs, the
largest novelty, and one warning line; nothing for renderers that do not measure it."""

from __future__ import annotations

from render_core.families.body.novelty import POSE_NOVELTY, UNSEEN_POSE
from render_core.render.frame_notes import FrameNotes, NoteLog


def PoseNoveltyLog() -> NoteLog:
    return NoteLog(POSE_NOVELTY)


def test_unseen_frames_become_runs_and_one_warning():
    log = PoseNoveltyLog()
    for t in range(12):
        log.add(t, UNSEEN_POSE + 0.1 if t in (2, 3, 4, 9) else 0.05)
    log.add(12, float("nan"))  # an untracked frame is not measured
    log.add(13, None)
    report = log.report()
    assert report["unseen_pose_frames"] == 4 and report["unseen_pose_runs"] == [[2, 4], [9, 9]]
    assert report["pose_novelty_max"] == round(UNSEEN_POSE + 0.1, 3)
    (line,) = report["warnings"]
    assert line.startswith("4 of 12 frames") and "frames 2-4, 9)" in line


def test_no_warning_when_every_pose_was_seen_and_nothing_without_measurements():
    log = PoseNoveltyLog()
    log.add(0, 0.01)
    assert log.report() == {"pose_novelty_max": 0.01, "unseen_pose_frames": 0, "unseen_pose_runs": []}
    assert PoseNoveltyLog().report() == {}


def test_a_frame_rendered_again_with_a_seen_pose_is_no_longer_unseen():
    log = PoseNoveltyLog()  # the studio's preview renders frames again after edits
    log.add(5, UNSEEN_POSE + 0.2)
    log.add(5, UNSEEN_POSE + 0.3)
    assert log.report()["unseen_pose_runs"] == [[5, 5]] and log.report()["unseen_pose_frames"] == 1
    log.add(5, 0.1)
    assert log.report()["unseen_pose_frames"] == 0


def test_a_frame_rendered_many_times_counts_once_with_its_latest_distance():
    log = PoseNoveltyLog()
    for d in (UNSEEN_POSE + 0.5, UNSEEN_POSE + 0.1):
        log.add(3, d)
    log.add(4, 0.1)
    rep = log.report()
    assert rep["pose_novelty_max"] == round(UNSEEN_POSE + 0.1, 3)
    assert rep["warnings"][0].startswith("1 of 2 frames")


def test_frame_notes_keep_only_the_renderers_declared_notes_and_merge_warnings():
    notes = FrameNotes((POSE_NOVELTY,))
    notes.add(0, {"pose_novelty": UNSEEN_POSE + 0.2, "something_else": 9.0})
    notes.add(1, {})
    rep = notes.report()
    assert rep["unseen_pose_frames"] == 1 and "something_else" not in str(rep)
    assert len(rep["warnings"]) == 1
    assert FrameNotes().report() == {}
