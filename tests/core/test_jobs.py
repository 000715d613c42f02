import pytest

from render_core.jobs import Cancelled, JobContext


def test_progress_sequence_and_subranges():
    seen = []
    ctx = JobContext(lambda p: seen.append(round(p.fraction, 3)))
    first, second = ctx.sub(0.0, 0.25), ctx.sub(0.25, 1.0)
    for i in range(1, 3):
        first.step(i, 2)
    for i in range(1, 4):
        second.step(i, 3)
    assert seen == [0.125, 0.25, 0.5, 0.75, 1.0]


def test_cancel_raises_at_next_step_in_any_subcontext():
    ctx = JobContext()
    child = ctx.sub(0.5, 1.0)
    child.step(1, 10)
    ctx.cancel()
    with pytest.raises(Cancelled):
        child.step(2, 10)
    assert child.cancelled
