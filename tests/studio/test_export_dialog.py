"""Export through the dialog: a keyframed edit renders to a playable MP4 with the audio kept,
and a cancelled export leaves no file."""

from __future__ import annotations

import pytest

from render_core.edits.params import ExpressionParams
from studio import commands as C


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
    dlg.audio.setChecked(True)
    (job,) = dlg.start()
    with qtbot.waitSignal(job.signals.finished, timeout=120_000):
        pass
    info = probe(out)
    assert info.frame_count == 24 and info.has_audio
    assert (info.width, info.height) == (with_edit.state.info.width, with_edit.state.info.height)
    assert dlg.results[0]["edited"] == 24 and "done" in dlg.status.text()
    assert dlg.progress.value() == 1000


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
