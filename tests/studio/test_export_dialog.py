"""Export through the dialog: a keyframed edit renders to a playable MP4 with the audio kept,
a reenact layer's driving audio sounds from the layer's first frame, and a cancelled export
leaves no file."""

from __future__ import annotations

from pathlib import Path

import pytest

from render_core.edits.params import ExpressionParams, ReenactFaceParams, TransferBodyParams
from studio import commands as C
from tests.core.media.chirp import AAC_PACKET_S, audio_packets, chirp_clip, with_chirp

LAYER_START, OFFSET = 8, 6  # the reenact layer starts at target frame 8 from driving frame 6
LAYER_END = 17  # its last frame (the export runs to frame 24)
EDIT_LIST_S = 1e-3  # the MP4 muxer rounds an initial audio delay to 1 ms


@pytest.fixture
def with_edit(window, qtbot, clip_with_audio):
    window.open_path(clip_with_audio)
    qtbot.waitUntil(lambda: window.state.tracks is not None, timeout=60_000)
    st = window.state
    layer = window.inspector.add_layer("expression")
    st.undo_stack.push(C.SetKeyframe(st, layer.id, 5, ExpressionParams(jaw_open=0.8)))
    return window


def test_export_writes_playable_file_with_audio(with_edit, qtbot, tmp_path):
    from render_core.media.probe import probe
    from studio import dialogs

    dialogs.show_export(with_edit)
    dlg = with_edit.export_dialog
    out = tmp_path / "edited.mp4"
    dlg.output.setText(str(out))
    dlg.start_frame.setValue(0)
    dlg.stop_frame.setValue(24)
    dlg.audio.setCurrentText("Original audio")
    assert dlg.config(out).audio and dlg.config(out).audio_clip is None
    (job,) = dlg.start()
    with qtbot.waitSignal(job.signals.finished, timeout=120_000):
        pass
    info = probe(out)
    assert info.frame_count == 24 and info.has_audio
    assert (info.width, info.height) == (with_edit.state.info.width, with_edit.state.info.height)
    assert dlg.results[0]["edited"] == 24 and "done" in dlg.status.text()
    assert dlg.progress.value() == 1000
    dialogs.show_export(with_edit)  # the next export of this unsaved project goes where this one went
    assert Path(with_edit.export_dialog.output.text()).parent == tmp_path


def test_default_output_is_never_beside_the_footage_and_never_an_existing_file(tmp_path):
    from studio.export_choices import default_output

    footage, project, last = tmp_path / "footage", tmp_path / "p.rfproj", tmp_path / "exports"
    for folder in (footage, project, last):
        folder.mkdir()
    clip = footage / "talk.mp4"
    assert default_output(project, clip, str(last)) == project / "talk-edited.mp4"
    assert default_output(None, clip, str(last)) == last / "talk-edited.mp4"
    (last / "talk-edited.mp4").write_bytes(b"an earlier export")
    (last / "talk-edited-2.mp4").write_bytes(b"another")
    assert default_output(None, clip, str(last)) == last / "talk-edited-3.mp4"
    fallback = default_output(None, clip, str(tmp_path / "deleted"))
    assert fallback.parent.is_dir() and fallback.parent != footage  # Videos or home


def test_an_existing_output_is_replaced_only_when_the_user_agrees(with_edit, tmp_path):
    from studio import dialogs

    dialogs.show_export(with_edit)
    dlg = with_edit.export_dialog
    out = tmp_path / "keep.mp4"
    out.write_bytes(b"the user's earlier export")
    dlg.output.setText(str(out))
    asked = []
    dlg.confirm = lambda title, text: asked.append(text) or False
    assert dlg.start() == [] and asked == ["keep.mp4 already exists. Replace it?"]
    assert out.read_bytes() == b"the user's earlier export" and dlg.export_button.isEnabled()


def test_format_choice_sets_the_extension_the_codec_and_is_remembered(with_edit, qtbot, tmp_path):
    """ProRes for an editor or grader, a PNG sequence for compositing: the output's name follows
    the choice, CRF and audio grey out where the format has none, and the next dialog opens on
    the last format used."""
    import av

    from studio import dialogs

    dialogs.show_export(with_edit)
    dlg = with_edit.export_dialog
    dlg.output.setText(str(tmp_path / "take.mp4"))
    dlg.start_frame.setValue(0)
    dlg.stop_frame.setValue(6)
    dlg.format.setCurrentIndex(1)  # ProRes
    assert dlg.output.text() == str(tmp_path / "take.mov") and not dlg.crf.isEnabled()
    (job,) = dlg.start()
    with qtbot.waitSignal(job.signals.finished, timeout=120_000):
        pass
    with av.open(str(tmp_path / "take.mov")) as c:
        assert c.streams.video[0].codec_context.name == "prores" and c.streams.video[0].frames == 6
    dlg.format.setCurrentIndex(2)  # PNG sequence
    assert dlg.output.text() == str(tmp_path / "take") and not dlg.audio.isEnabled()
    (job,) = dlg.start()
    with qtbot.waitSignal(job.signals.finished, timeout=120_000):
        pass
    assert sorted(p.name for p in (tmp_path / "take").glob("*.png"))[0] == "take_000000.png"
    dialogs.show_export(with_edit)
    reopened = with_edit.export_dialog
    assert reopened.output_format().name == "png" and Path(reopened.output.text()).suffix == ""


def test_cancel_export_leaves_no_file(with_edit, qtbot, tmp_path):
    from studio import dialogs

    dialogs.show_export(with_edit)
    dlg = with_edit.export_dialog
    out = tmp_path / "cancelled.mp4"
    dlg.output.setText(str(out))
    (job,) = dlg.start()
    with qtbot.waitSignal(job.signals.cancelled, timeout=60_000):
        qtbot.waitUntil(lambda: dlg.progress.value() > 0, timeout=60_000)
        dlg.cancel()
    assert "cancelled" in dlg.status.text() and dlg.export_button.isEnabled()
    assert not list(tmp_path.glob("cancelled*"))


@pytest.fixture(scope="module")
def driving_chirp(clip_path, tmp_path_factory):
    """40 frames of the small clip (a face to track) speaking a chirp."""
    return with_chirp(clip_path, tmp_path_factory.mktemp("driving") / "drive_chirp.mp4", 40 * 1001 / 30000)


def _add_driven_layer(win, kind: str, driving, clip_id: str):
    from render_core.media.probe import probe
    from render_core.project.document import ClipRef

    st = win.state
    layer = win.inspector.add_layer(kind)
    st.undo_stack.push(C.UpdateLayer(st, layer.id, "range", start=LAYER_START, end=LAYER_START + 30))
    info = probe(driving)
    ref = ClipRef(clip_id, st.project.relative(driving), info.content_hash, info)
    st.undo_stack.push(C.SetDrivingClip(st, layer.id, ref, {"offset": OFFSET}))
    return layer


def test_export_with_driving_audio_from_the_layer_start(
    window, qtbot, clip_with_audio, driving_chirp, tmp_path
):
    from studio import dialogs

    window.open_path(clip_with_audio)
    qtbot.waitUntil(lambda: window.state.tracks is not None, timeout=60_000)
    st = window.state
    layer = _add_driven_layer(window, "reenact_face", driving_chirp, "drive2")
    st.undo_stack.push(C.SetKeyframe(st, layer.id, LAYER_START, ReenactFaceParams(strength=1.0)))
    st.undo_stack.push(C.UpdateLayer(st, layer.id, "range", start=LAYER_START, end=LAYER_END))
    dialogs.show_export(window)
    dlg = window.export_dialog
    driving = f"Driving audio: drive_chirp.mp4 (layer 'reenact face', frames {LAYER_START}-{LAYER_END})"
    assert [dlg.audio.itemText(i) for i in range(dlg.audio.count())] == [
        "Original audio",
        driving,
        "No audio",
    ]
    dlg.audio.setCurrentText(driving)
    out = tmp_path / "driven.mp4"
    dlg.output.setText(str(out))
    dlg.start_frame.setValue(0)
    dlg.stop_frame.setValue(24)
    (job,) = dlg.start()
    with qtbot.waitSignal(job.signals.finished, timeout=120_000):
        pass
    copied, source = audio_packets(out), audio_packets(driving_chirp)
    fps = st.info.fps
    # silence until the layer's first frame, then the driver's sound from its frame OFFSET on
    assert copied[0][0] == pytest.approx(LAYER_START / fps, abs=AAC_PACKET_S + EDIT_LIST_S)
    i = [b for _, b in source].index(copied[0][1])
    assert OFFSET / fps <= source[i][0] < OFFSET / fps + AAC_PACKET_S
    assert [b for _, b in copied] == [b for _, b in source[i : i + len(copied)]]
    # and nothing after the layer's end: the driving performance is over there
    assert (LAYER_END + 1) / fps - 2 * AAC_PACKET_S <= copied[-1][0] < (LAYER_END + 1) / fps
    assert dlg.results[0]["edited"] == LAYER_END + 1 - LAYER_START
    # a queued project keeps its own audio: the driving choice belongs to this one
    marked = st.document().with_timeline(st.timeline.with_mark("in", 3, 30))
    queued = dlg._queued_config(marked, tmp_path / "q.mp4")
    assert queued.audio and (queued.audio_clip, queued.audio_sync, queued.audio_stop) == (None, None, None)
    assert queued.frames == (3, 31)  # and its own in/out range
    st.undo_stack.push(C.EnableLayer(st, layer.id, False))  # the open dialog follows the timeline
    assert [dlg.audio.itemText(i) for i in range(dlg.audio.count())] == ["Original audio", "No audio"]


def test_a_driving_clip_at_another_frame_rate_is_read_by_time(window, qtbot, clip_with_audio, tmp_path):
    """A 25 fps dance under a 29.97 fps target: the layer (inset, render) shows the driving
    frame the same time into the layer, so it keeps time with its own audio, which the export
    places from the layer's first frame to its last."""
    from studio import dialogs
    from studio.driving_inset import driving_at

    window.open_path(clip_with_audio)
    qtbot.waitUntil(lambda: window.state.tracks is not None, timeout=60_000)
    pal = chirp_clip(tmp_path / "pal.mp4", seconds=2.0, fps=25)
    layer = _add_driven_layer(window, "transfer_body", pal, "pal")
    st = window.state
    st.undo_stack.push(C.SetKeyframe(st, layer.id, LAYER_START, TransferBodyParams(strength=1.0)))
    st.set_frame(LAYER_START + 30)
    # 30 target frames = 1.001 s = 25.025 driving frames after the layer's driving frame OFFSET
    assert driving_at(st)[1] == OFFSET + 25
    dialogs.show_export(window)
    dlg = window.export_dialog
    assert dlg.audio.currentText() == "Original audio"
    dlg.audio.setCurrentIndex(1)
    cfg = dlg.config(tmp_path / "x.mp4")
    assert (cfg.audio, cfg.audio_clip, cfg.audio_sync, cfg.audio_stop, cfg.timebase) == (
        True,
        "pal",
        (LAYER_START, OFFSET),
        LAYER_START + 31,
        None,
    )
    dlg.audio.setCurrentText("No audio")
    assert dlg.config(tmp_path / "x.mp4").audio is False


def test_a_finished_export_shows_its_warnings(with_edit):
    from studio import dialogs

    dialogs.show_export(with_edit)
    dlg = with_edit.export_dialog
    dlg.jobs = [object(), object()]  # the first of two queued exports finished
    dlg._finished(
        {"output": "a.mp4", "frames": 4, "fps": 9.0, "warnings": ["3 of 4 frames ask for unseen poses"]}
    )
    assert dlg.status.text().splitlines() == [
        "wrote a.mp4 (4 frames, 9.0 fps)",
        "warning: 3 of 4 frames ask for unseen poses",
    ]
