"""A disabled layer keeps its keys: the inspector shows and edits them between keyframes
instead of failing on every frame step."""

from __future__ import annotations

from PySide6.QtCore import Qt

from render_core.edits.params import ExpressionParams
from studio import commands as C


def test_unchecking_a_keyed_layer_between_keys_keeps_the_inspector_live(opened, qtbot):
    st, insp = opened.state, opened.inspector
    layer = insp.add_layer("expression")
    st.undo_stack.push(C.SetKeyframe(st, layer.id, 2, ExpressionParams(jaw_open=0.0)))
    st.undo_stack.push(C.SetKeyframe(st, layer.id, 10, ExpressionParams(jaw_open=0.8)))
    st.set_frame(6)
    item = insp.layers.item(0)
    item.setCheckState(Qt.CheckState.Unchecked)  # the user unticks the layer in the list
    assert not st.timeline.layer(layer.id).enabled
    for frame in (7, 8):
        st.set_frame(frame)
        assert f"frame {frame}: interpolated" in insp.key_label.text()
    shown = insp.panel.rows["jaw_open"].spin.value()
    assert 0.0 < shown < 0.8  # the keys' value between them, not a stale frame
    insp.panel.rows["jaw_open"].spin.setValue(0.5)  # and it can still be edited there
    assert st.timeline.layer(layer.id).keyframes[8].jaw_open == 0.5
    assert opened.status.last_error is None
