"""The render cache writes on a thread of its own: a frame is readable as soon as it is put,
lands on disk by `flush`, memory holds at most MAX_PENDING queued frames, and a disk that
cannot be written never fails the export."""

from __future__ import annotations

import threading

import numpy as np

from render_core.render import cache as cache_mod
from render_core.render.cache import MAX_PENDING, RenderCache, cache_key


def _frame(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (24, 32, 3), dtype=np.uint8)


def test_a_put_frame_reads_back_before_and_after_it_is_written(tmp_path):
    c = RenderCache(tmp_path / "renders")
    key, frame = cache_key(3, "e", "warp", (32, 24)), _frame(0)
    c.put(key, frame)
    frame[:] = 0  # the caller reuses its array: the cache kept a copy
    np.testing.assert_array_equal(c.get(key), _frame(0))
    c.flush()
    assert (tmp_path / "renders" / f"{key}.png").exists()
    c.close()
    np.testing.assert_array_equal(RenderCache(tmp_path / "renders").get(key), _frame(0))


def test_queued_frames_are_bounded(tmp_path, monkeypatch):
    gate = threading.Event()
    written = []

    def slow_write(self, key, frame):
        gate.wait(5)
        written.append(key)

    monkeypatch.setattr(cache_mod.RenderCache, "_write", slow_write)
    c = RenderCache(tmp_path / "renders")
    for i in range(MAX_PENDING):
        c.put(f"k{i}", _frame(i))
    assert len(c._pending) == MAX_PENDING and not written
    gate.set()  # the writer drains; the next put waits for room
    c.put("last", _frame(99))
    assert len(c._pending) <= MAX_PENDING
    c.close()
    assert len(written) == MAX_PENDING + 1 and not c._pending


def test_an_unwritable_cache_costs_nothing_but_the_cache(tmp_path, monkeypatch):
    def full_disk(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_mod, "write_bytes_atomic", full_disk)
    c = RenderCache(tmp_path / "renders")
    c.put("k", _frame(1))
    c.close()  # no exception
    assert RenderCache(tmp_path / "renders").get("k") is None
