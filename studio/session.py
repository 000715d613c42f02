"""The studio's controller: opens documents, runs tracking, keeps the preview current, autosaves
and plays. It wires `AppState` to jobs; widgets talk to it and to the state, never to jobs.

Open flow: probe/load on the I/O pool -> (offer recovery) -> state.load -> the first preview
(the frame shows at once) and tracking on the heavy pool -> overlays appear when tracks land.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from studio import document as D
from studio.frame_marks import FrameMarks
from studio.frame_source import FrameSource, preview_scale
from studio.image_set import image_set_note
from studio.jobs import Job, JobRunner, Kind
from studio.playback import PlaybackStream
from studio.preview import PreviewResult, PreviewWorker, RenderPreview
from studio.render_bridge import frame_at_position, make_render_preview
from studio.state import AppState

AUTOSAVE_MS = 30_000
MAX_SHUTTLE = 8.0


class Session(QObject):
    error = Signal(str, str)  # one line, details
    message = Signal(str)  # status bar text
    warning = Signal(str)  # one line the user must see (a damaged clip opened)
    opened = Signal(str)  # path
    tracking_finished = Signal(object)  # TrackResult
    preview_ready = Signal(object)  # PreviewResult
    playing_changed = Signal(bool)

    def __init__(
        self,
        state: AppState | None = None,
        render: RenderPreview | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state or AppState(self)
        self.runner = JobRunner(self)
        self.frames = FrameSource()
        self.device = "auto"  # model device for preview/export/training (preferences)
        self.preview = PreviewWorker(self.runner, render or make_render_preview(self.frames), self)
        self.preview.ready.connect(self._preview_ready)
        self.preview.failed.connect(self.error)
        self.frame_marks = FrameMarks(self.state, self)  # frames the preview's renders flag
        self.preview_ready.connect(self.frame_marks.add)
        # playback renders ahead where the preview pipeline can stream (the real one can)
        stream = hasattr(self.preview.render, "stream")
        self.stream = PlaybackStream(self.runner, self.preview.render, self) if stream else None
        self._streaming = False  # playing from the stream's buffer
        self._advancing = False  # the playhead moves to a frame the stream rendered
        self._streamed: tuple = (None, None)  # (snapshot, loop) the stream renders
        self._shown_frame: int | None = None  # the frame playback showed last
        self.loop = False  # playback repeats the in/out range (the whole clip without marks)
        self.driving_jobs: dict[str, Job] = {}  # driving clip id -> its tracking job
        self.preview_height = 480
        self.track_job: Job | None = None
        self.ask_recover: Callable[[Path], bool] = lambda _p: False
        self.last_latency_ms: float | None = None
        self._autosave = QTimer(self)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self.autosave_now)
        self._autosave.start()
        self.playback = QTimer(self)
        self.playback.setTimerType(self.playback.timerType().PreciseTimer)
        self.playback.timeout.connect(self._tick)
        self._play_origin: tuple[float, int] | None = None
        self.rate = 1.0  # playback speed: negative plays backward (J/K/L shuttle)
        s = self.state
        for sig in (s.timeline_changed, s.tracks_changed, s.renderer_changed):
            sig.connect(self.request_preview)
        s.timeline_changed.connect(self.track_driving_clips)
        s.clip_changed.connect(self._forget_driving)
        s.frame_changed.connect(self.request_preview)

    # -- open / save ---------------------------------------------------------------------
    def open(self, path: str | Path) -> Job:
        """Open a clip or project in the background; the state loads when it arrives."""
        self.stop()
        self.message.emit(f"Opening {Path(path).name}...")
        job = self.runner.submit(lambda ctx: D.open_document(path), f"open {Path(path).name}", Kind.IO)
        job.signals.finished.connect(self._opened)
        job.signals.failed.connect(self.error)
        return job

    def _opened(self, doc: D.OpenedDocument) -> None:
        if doc.recovery is not None and self.ask_recover(doc.recovery):
            doc = D.recovered(doc)
            recovered = True
        else:
            recovered = False
        if self.track_job is not None:
            self.track_job.cancel()
        p = doc.project
        self.state.load(doc.clip_path, doc.info, p, doc.project_path, p.timeline, p.renderer, doc.image_set)
        if recovered:
            self.state.undo_stack.resetClean()  # recovered edits are not saved yet
        self.opened.emit(doc.clip_path)
        if doc.damage is not None:
            self.warning.emit(f"{Path(doc.clip_path).name}: {doc.damage}")
        if doc.image_set is not None:
            self.message.emit(image_set_note(doc.image_set, p.renderer))
            return  # nothing to track: the path's cameras are the frames
        self.start_tracking()

    def document(self):
        """The project as it is now (the state's timeline and renderer folded in)."""
        return self.state.document()

    def save(self, folder: Path | None = None) -> Path:
        """Save to `folder` or the current project folder; returns where it went. An image set's
        document always goes into its own folder, beside its captures. InputError (naming the
        file) when it cannot be written: the document on disk is then as it was."""
        image_set = self.state.image_set
        target = image_set.folder if image_set is not None else folder or self.state.project_path
        if target is None:
            raise ValueError("an unsaved project needs a folder (Save As)")
        was_unsaved = self.state.project_path is None
        saved = D.save_document(self.document(), Path(target), image_set is not None)
        D.carry_tracks(saved)
        if was_unsaved:
            D.discard_autosave(None, self.state.info)  # the clip's autosave is the project now
        self.state.mark_saved(saved, saved.folder)
        self.message.emit(f"Saved {saved.folder}")
        return saved.folder

    def autosave_now(self) -> Path | None:
        if not (self.state.is_open and self.state.dirty):
            return None
        try:
            return D.autosave(self.document(), self.state.project_path, self.state.info)
        except OSError as e:
            self.error.emit(f"autosave failed: {e}", repr(e))
            return None

    def discard_autosave(self) -> None:
        """The user discarded the open document's changes: its autosave goes too, so the next
        open does not offer them back."""
        if self.state.is_open:
            D.discard_autosave(self.state.project_path, self.state.info)

    # -- tracking ------------------------------------------------------------------------
    def start_tracking(self) -> Job | None:
        """Track the open clip (none for an image set: it has no clip)."""
        from render_core.tracking.track_clip import TrackConfig, track_clip

        if self.state.image_set is not None:
            return None

        cfg = TrackConfig(
            clip=self.state.clip_path,
            project_dir=str(self.state.project_path) if self.state.project_path else None,
        )
        job = self.runner.submit(lambda ctx: track_clip(cfg, ctx), "tracking", Kind.HEAVY)
        job.signals.finished.connect(self._tracked)
        job.signals.failed.connect(self.error)
        job.signals.cancelled.connect(lambda: self.message.emit("Tracking cancelled"))
        self.track_job = job
        return job

    def track_driving_clips(self) -> list[Job]:
        """Track (or load the cached tracks of) each driving clip the timeline uses that the
        preview does not have yet, on the heavy pool with progress, after the target's own
        tracks; the preview shows those layers' frames unedited until the tracks arrive."""
        pipeline = self.preview.render
        if self.state.tracks is None or not hasattr(pipeline, "missing_driving"):
            return []
        from render_core.render.sources import track_for_render

        folder, started = self.state.project_path, []
        for cid, path in pipeline.missing_driving(self.state.snapshot()).items():
            if cid in self.driving_jobs:
                continue
            job = self.runner.submit(
                lambda ctx, p=path: track_for_render(p, folder, ctx), f"tracking {path.name}"
            )
            job.signals.finished.connect(lambda tracks, c=cid, j=job: self._driving_tracked(c, j, tracks))
            job.signals.failed.connect(self.error)
            job.signals.ended.connect(lambda c=cid, j=job: self._driving_ended(c, j))
            self.driving_jobs[cid] = job
            started.append(job)
        return started

    def _driving_tracked(self, clip_id: str, job: Job, tracks) -> None:
        if self.driving_jobs.get(clip_id) is not job:
            return  # the document it was for is closed
        self.preview.render.add_driving(clip_id, tracks)
        self.message.emit(f"Tracked the driving clip ({len(tracks)} frames)")
        self.request_preview()

    def _driving_ended(self, clip_id: str, job: Job) -> None:
        if self.driving_jobs.get(clip_id) is job:
            del self.driving_jobs[clip_id]

    def _forget_driving(self) -> None:
        """A new document: driving clip ids name other clips now."""
        for job in self.driving_jobs.values():
            job.cancel()
        self.driving_jobs.clear()
        if hasattr(self.preview.render, "forget_driving"):
            self.preview.render.forget_driving()

    def _tracked(self, result) -> None:
        if result.tracks.meta.get("clip_hash") != (self.state.info.content_hash if self.state.info else None):
            return  # a result for a clip that is no longer open
        self.state.set_tracks(result.tracks)
        s = result.summary
        self.message.emit(
            f"Tracked {s['frames']} frames: face {s['face_valid']}, body {s['body_valid']}"
            + (" (cached)" if result.cached else "")
        )
        self.tracking_finished.emit(result)
        self.track_driving_clips()

    # -- preview -------------------------------------------------------------------------
    def request_preview(self, *_args) -> int | None:
        if not self.state.is_open:
            return None
        if self._streaming:
            if not self._advancing and self._stream_is_stale():
                self._start_stream()  # an edit or a seek while playing: render on from here
            return None
        info = self.state.info
        self.preview.scale = preview_scale(info.width, info.height, self.preview_height)
        return self.preview.request(self.state.snapshot(), self.state.frame)

    def _preview_ready(self, result: PreviewResult) -> None:
        if self._streaming:
            return  # a single-frame render asked for before playback started: stale now
        self.last_latency_ms = 1000.0 * (time.perf_counter() - result.requested_at)
        self.preview_ready.emit(result)

    # -- playback ------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self.playback.isActive()

    def play(self) -> None:
        if not self.state.is_open:
            return
        self.rate = 1.0
        loop = self.loop_range()
        if loop is not None and not loop[0] <= self.state.frame <= loop[1]:
            self.state.set_frame(loop[0])
        elif loop is None and self.state.frame >= self.state.frame_count - 1:
            self.state.set_frame(0)
        if self.stream is not None and self.state.image_set is None:  # a path: latest-wins frames
            self._streaming = True
            self._start_stream()
        else:
            self._play_origin = (time.perf_counter(), self.state.frame)
        self.playback.start(max(5, int(1000 / self.state.fps / 2)))
        self.playing_changed.emit(True)

    def _start_stream(self) -> None:
        """(Re)start rendering ahead from the playhead; the clock waits for its first frame."""
        info = self.state.info
        self.preview.cancel()  # a waiting single-frame request is stale now
        self._play_origin = None
        scale = preview_scale(info.width, info.height, self.preview_height)
        snapshot, loop = self.state.snapshot(), self.loop_range()
        self._streamed, self._shown_frame = (snapshot, loop), self.state.frame
        job = self.stream.start(snapshot, self.state.frame, scale, self.state.fps, loop)
        job.signals.failed.connect(self.error)

    def _stream_is_stale(self) -> bool:
        """A seek, or a change to what the stream renders (marks alone change nothing unless
        playback loops over them)."""
        (old, loop), st = self._streamed, self.state
        return (
            st.frame != self._shown_frame
            or st.timeline.layers is not old.timeline.layers
            or st.renderer != old.renderer
            or st.tracks is not old.tracks
            or self.loop_range() != loop
        )

    def loop_range(self) -> tuple[int, int] | None:
        """(first, last) frames playback repeats, or None when it plays on to the end."""
        if not self.loop or not self.state.is_open:
            return None
        start, stop = self.state.timeline.marked_range(self.state.frame_count)
        return start, stop - 1

    def set_loop(self, on: bool) -> None:
        self.loop = bool(on)
        if self.playing:
            self.stop()
            self.play()

    def stop(self) -> None:
        was_playing = self.playback.isActive()
        self.playback.stop()
        self._play_origin = None
        if self._streaming:
            self._streaming = False
            self.stream.stop()
        if was_playing:
            self.playing_changed.emit(False)

    def toggle_play(self) -> None:
        self.stop() if self.playing else self.play()

    def shuttle(self, direction: int) -> None:
        """L (+1) / J (-1): play that way, each further press doubles the speed (up to 8x); a
        press against the current direction starts again at 1x that way. Normal speed forward
        renders ahead; other speeds show the latest preview the renderer can keep up with."""
        if not self.state.is_open:
            return
        same_way = self.playing and (self.rate > 0) == (direction > 0)
        rate = min(abs(self.rate) * 2, MAX_SHUTTLE) * direction if same_way else float(direction)
        self.stop()
        if rate == 1.0:
            self.play()
            return
        self.rate = rate
        self._play_origin = (time.perf_counter(), self.state.frame)
        self.playback.start(max(5, int(1000 / self.state.fps / 2)))
        self.playing_changed.emit(True)
        self.message.emit(f"Playing {'backward ' if rate < 0 else ''}at {abs(rate):g}x")

    def _tick(self) -> None:
        """Frame from the wall clock, so a slow preview drops frames instead of lagging."""
        if self._streaming:
            self._tick_stream()
            return
        t0, f0 = self._play_origin
        f = f0 + int((time.perf_counter() - t0) * self.state.fps * self.rate)
        if f < 0:  # backward past the first frame
            self.state.set_frame(0)
            self.stop()
            return
        loop = self.loop_range() if self.rate > 0 else None
        if loop is not None:
            self.state.set_frame(frame_at_position(f0, f - f0, loop))
        elif f >= self.state.frame_count:
            self.state.set_frame(self.state.frame_count - 1)
            self.stop()
        else:
            self.state.set_frame(f)

    def _tick_stream(self) -> None:
        """Show the stream's frame for the clock's time; the clock starts at the first one."""
        now, last = time.perf_counter(), self.state.frame_count - 1
        if self._play_origin is None:
            got = self.stream.take(None)
        else:
            t0, p0 = self._play_origin
            got = self.stream.take(p0 + int((now - t0) * self.state.fps))
        if got is None:
            if not self.stream.active and not len(self.stream.buffer):
                self.stop()  # the producer ended early (it failed, and said so)
            return
        position, item = got
        if self._play_origin is None:
            self._play_origin = (now, position)
        self._advancing = True
        try:
            self.state.set_frame(item.frame)
        finally:
            self._advancing = False
        self._shown_frame = item.frame
        self.preview_ready.emit(item)
        if self._streamed[1] is None and item.frame >= last:
            self.stop()

    def step(self, delta: int) -> None:
        self.stop()
        self.state.set_frame(self.state.frame + delta)

    # -- teardown ------------------------------------------------------------------------
    def shutdown(self) -> bool:
        """Stop timers, cancel jobs, wait for every pool thread, close the decoder."""
        self.stop()
        self._autosave.stop()
        self.preview.cancel()
        ok = self.runner.shutdown()
        self.frames.close()
        return ok
