"""The portrait renderer loads a trained checkpoint and renders full frames through it."""

from dataclasses import replace

import numpy as np

from render_core.contract import FrameRequest
from render_core.families.portrait.renderer import load_renderer
from render_core.families.train import train_model
from render_core.jobs import null_context
from render_core.media.decode import VideoReader
from render_core.media.frames import to_float
from render_core.render.sources import ClipTracks
from render_core.states import FaceState
from render_core.tracking.steady import centred_smooth
from render_core.tracking.tracks import Tracks
from tests.core.conftest import make_cfg


def test_renderer_renders_edited_frames_in_sequence(tracked, tmp_path):
    res = train_model(make_cfg(tracked, tmp_path / "ck", steps=1), null_context())
    r = load_renderer(res.checkpoint, device="cpu")
    face = Tracks.load(tracked[1]).face
    with VideoReader(tracked[0]) as reader:
        for t in range(3):
            frame = to_float(reader.read(t))
            state = FaceState(face.landmarks[t], face.head_pose[t], face.iris[t], face.focal, (0.0, 0.0))
            edit = FaceState(state.landmarks, state.head_pose, state.iris + 1.5, state.focal, state.principal)
            out = r.render(FrameRequest(t, frame, face=state, face_edit=edit))
            assert out.image.shape == frame.shape and out.mask.shape == frame.shape[:2]
            assert 0.02 < out.mask.mean() < 0.9 and out.mask.max() > 0.99
            assert np.allclose(out.image[out.mask == 0], frame[out.mask == 0])
    assert r.window._maps and len(r.window._maps) == r.cfg.n_w


def test_models_trained_on_raw_landmarks_render_on_steadied_ones_plus_the_edit(tracked, tmp_path):
    res = train_model(make_cfg(tracked, tmp_path / "ck", steps=1), null_context())
    r = load_renderer(res.checkpoint, device="cpu")
    face = Tracks.load(tracked[1]).face
    assert face.raw_landmarks is not None and r.raw  # the tracker kept them, training used them
    t = 2
    tracked_state = FaceState(
        face.landmarks[t], face.head_pose[t], face.iris[t], face.focal, (0.0, 0.0), face.raw_landmarks[t]
    )
    shift = np.zeros_like(face.landmarks[t])
    shift[:, 1] = 4.0  # the edit moves every landmark 4 px down and the irises 2 px right
    edit = FaceState(
        tracked_state.landmarks + shift, face.head_pose[t], face.iris[t] + [2.0, 0.0], face.focal, (0, 0)
    )
    lm, iris = r.conditioning_face(tracked_state, edit)
    np.testing.assert_allclose(lm, face.raw_landmarks[t] + shift, atol=1e-4)
    raw_iris = face.raw_landmarks[t][[473, 468], :2]
    np.testing.assert_allclose(iris, raw_iris + [2.0, 0.0], atol=1e-4)
    # From a clip's tracks the state also carries the detected landmarks steadied without lag
    # (centred over neighbouring frames): the renderer conditions on those, the crop stays put.
    from_clip = ClipTracks(Tracks.load(tracked[1]), (176, 144)).face(t)
    steady = centred_smooth(face.raw_landmarks, face.valid)[t]
    np.testing.assert_allclose(from_clip.steady_landmarks, steady, atol=1e-4)
    assert np.abs(steady - face.raw_landmarks[t]).max() > 0.01
    edit = replace(from_clip, landmarks=from_clip.landmarks + shift)
    lm, _ = r.conditioning_face(from_clip, edit)
    np.testing.assert_allclose(lm, steady + shift, atol=1e-4)
    np.testing.assert_array_equal(r.tracked_landmarks(from_clip), face.raw_landmarks[t])
    r.raw = False  # a model trained on smoothed landmarks: the edited state as is
    lm, iris = r.conditioning_face(tracked_state, edit)
    np.testing.assert_array_equal(lm, edit.landmarks)


def test_clip_tracks_steady_every_frame_in_bounded_blocks(tracked, monkeypatch):
    from render_core.render import sources

    monkeypatch.setattr(sources, "STEADY_BLOCK", 4)
    tracks = Tracks.load(tracked[1])
    clip, f = ClipTracks(tracks, (176, 144)), tracks.face
    whole = centred_smooth(f.raw_landmarks, f.valid)
    for t in [*range(len(f)), 3, 3]:  # asked again: the memo answers the same
        np.testing.assert_allclose(clip.face(t, scale=0.5).steady_landmarks, whole[t] * 0.5, atol=1e-4)
        assert len(clip._steady) <= 2  # blocks of 4 rows


def test_a_batch_renders_the_same_frames_as_one_request_at_a_time(tracked, tmp_path):
    res = train_model(make_cfg(tracked, tmp_path / "ck", steps=2), null_context())
    clip = ClipTracks(Tracks.load(tracked[1]), (176, 144))
    with VideoReader(tracked[0]) as reader:
        frames = [to_float(reader.read(t)) for t in range(7)]
    requests = []
    for t, frame in enumerate(frames):
        face = None if t == 3 else clip.face(t)  # a frame without a face restarts the sequence
        edit = None if face is None else replace(face, iris=face.iris + [1.5, 0.0])
        requests.append(FrameRequest(t, frame, face=face, face_edit=edit))
    one = load_renderer(res.checkpoint, device="cpu")
    single = [one.render(r) for r in requests]
    many = load_renderer(res.checkpoint, device="cpu")
    many.batch_size = 4  # 6 faces: a full batch and a partial one
    batched = many.render_batch(requests)
    assert len(batched) == len(requests)
    for a, b in zip(single, batched, strict=True):
        np.testing.assert_allclose(b.mask, a.mask, atol=1e-6)
        np.testing.assert_allclose(b.image, a.image, atol=2e-2)
        assert np.abs(b.image - a.image).mean() < 1e-3
    assert batched[3].mask.max() == 0 and np.array_equal(batched[3].image, frames[3])
    # Without the restart at frame 3, frame 4's window would still hold frames 0-2's maps.
    fresh = load_renderer(res.checkpoint, device="cpu")
    unbroken = fresh.render_batch([requests[k] for k in (0, 1, 2, 4)])[3]
    assert np.abs(unbroken.image - batched[4].image).max() > 1e-3


def test_a_render_starting_mid_clip_equals_the_whole_clips_render_there(tracked, tmp_path):
    """Export of a sub-range, or a preview jump, gives the frames a render from the clip's start
    gives: the crop comes from the clip's own causal sequence (as in training) and the window
    is primed with the frames before (edited or not). The conditioning-only model: its output
    depends most on the window."""
    from render_core.edits.layer import EditLayer
    from render_core.edits.params import GazeParams
    from render_core.edits.timeline import EditTimeline
    from render_core.render.frame_renderer import FrameRenderer
    from render_core.render.sources import EditSources

    res = train_model(
        make_cfg(tracked, tmp_path / "ck", steps=2, overrides={"warp_input": False}), null_context()
    )
    tracks = Tracks.load(tracked[1])
    with VideoReader(tracked[0]) as reader:
        frames = [f for _, f in reader.frames(0, 16)]
        size = (frames[0].shape[1], frames[0].shape[0])
    layer = EditLayer("gaze", 5, 15, {5: GazeParams(horizontal=12.0)}, interpolation="hold")
    timeline = EditTimeline().add_layer(layer)

    def render(ts, prime=True):
        renderer = load_renderer(res.checkpoint, device="cpu")
        if not prime:
            renderer.prime = lambda requests: renderer.reset()
        fr = FrameRenderer(EditSources(ClipTracks(tracks, size)), timeline, renderer, 25.0)
        return {t: fr.render(t, frames[t]) for t in ts}

    whole = render(range(16))
    assert not np.array_equal(whole[12], frames[12])  # the edit renders
    for t, out in render([*range(9, 16), 3, 12]).items():  # a sub-range, then two jumps
        assert np.abs(out.astype(int) - whole[t].astype(int)).max() <= 2, t
    unprimed = render(range(9, 16), prime=False)
    assert np.abs(unprimed[9].astype(int) - whole[9].astype(int)).max() > 2


def test_clip_tracks_give_the_training_crops_at_any_frame_and_scale(tracked):
    from render_core.families.portrait.crop import CropSmoother, clip_crops

    tracks = Tracks.load(tracked[1])
    f, clip = tracks.face, ClipTracks(tracks, (176, 144))
    training = clip_crops(f.raw_landmarks, f.valid, 128, 0.02, 0.1)  # as portrait_data places them
    for t in (0, 7, len(f) - 1):
        p, q = clip.face_crop(t, 0.02, 0.1), training[t].params
        np.testing.assert_allclose([p.cx, p.cy, p.side, p.roll], [q.cx, q.cy, q.side, q.roll])
        half = clip.face_crop(t, 0.02, 0.1, scale=0.5)
        np.testing.assert_allclose([half.cx, half.side, half.roll], [q.cx / 2, q.side / 2, q.roll])
    restarted = CropSmoother(0.02, slack=0.1)
    for t in range(7, len(f)):
        r = restarted.update(f.raw_landmarks[t])
    assert abs(r.side - training[-1].params.side) > 1e-3  # a restart lands elsewhere


def test_the_renderer_feeds_the_network_what_the_heldout_report_scores(tracked, tmp_path):
    """At held-out frames the renderer's network input (crop placed from the clip's start,
    steadied conditioning, window primed with the frames before) is the report's input."""
    from pathlib import Path

    from render_core.families.portrait.data import load_portrait_data

    res = train_model(make_cfg(tracked, tmp_path / "ck", steps=1), null_context())
    r = load_renderer(res.checkpoint, device="cpu")
    tracks = Tracks.load(tracked[1])
    c = r.cfg
    data = load_portrait_data(
        Path(tracked[0]), tracks, c.resolution, c.n_w, 18, null_context(), "", c.crop_alpha, c.crop_slack
    )
    clip = ClipTracks(tracks, (176, 144))
    first = int(data.frames[data.heldout[0]])
    frame = np.zeros((144, 176, 3), np.float32)
    request = lambda t: FrameRequest(t, frame, clip.face(t), clip=clip)  # noqa: E731
    r.prime([request(t) for t in range(first - r.context_frames, first)])
    for pos in data.heldout:
        staged = r.stage(request(int(data.frames[pos])))
        report = data.window(int(pos), steady=True)
        ours = staged.window[: len(report)]  # a warp-guided model's warped crop follows
        assert np.abs(ours - report).mean() < 5e-4 and np.abs(ours - report).max() < 0.01  # uint8 cache
    # A crop restarted where the render starts would feed the network another picture.
    r.prime([replace(request(t), clip=None) for t in range(first - r.context_frames, first)])
    restarted = r.stage(replace(request(int(data.frames[data.heldout[0]])), clip=None)).window
    report = data.window(int(data.heldout[0]), steady=True)
    assert np.abs(restarted[: len(report)] - report).mean() > 5e-3


def test_the_network_gets_its_window_channels_last_and_renders_what_nchw_would(tracked, tmp_path):
    """The window's memory is channels-last (oneDNN's layout: no reorder before the first
    convolution); the frames are those the contiguous layout gives."""
    import torch

    from render_core.families.portrait.window import stack_window

    maps = [np.random.default_rng(k).random((16, 16, 9), dtype=np.float32) for k in range(3)]
    window = stack_window(maps)
    np.testing.assert_array_equal(window, np.concatenate([m.transpose(2, 0, 1) for m in maps]))
    assert window.transpose(1, 2, 0).flags.c_contiguous
    res = train_model(
        make_cfg(tracked, tmp_path / "ck", steps=1, overrides={"warp_input": False}), null_context()
    )
    r = load_renderer(res.checkpoint, device="cpu")
    s = r.cfg.resolution
    windows = [np.random.default_rng(k).random((s, s, 9 * r.cfg.n_w), dtype=np.float32).transpose(2, 0, 1)
               for k in range(2)]  # fmt: skip
    seen = []
    hook = r.net.register_forward_pre_hook(
        lambda _, args: seen.append(args[0].is_contiguous(memory_format=torch.channels_last))
    )
    got = r.generate(windows)
    hook.remove()
    assert seen == [True]
    with torch.no_grad():
        nchw = torch.from_numpy(np.stack([np.ascontiguousarray(w) for w in windows]))
        want = ((r.net(nchw).clamp(-1, 1) + 1) / 2).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(got, want, atol=1e-4)


def test_a_warp_guided_model_warps_each_frame_once_and_feeds_the_network_its_crop(
    tracked, tmp_path, monkeypatch
):
    """The full-size warp is computed once per frame (the network's input is its crop, the
    output is composed over it): a second warp at crop size cost a fifth of an exported frame."""
    import render_core.families.portrait.renderer as portrait_renderer

    res = train_model(make_cfg(tracked, tmp_path / "ck", steps=1), null_context())
    r = load_renderer(res.checkpoint, device="cpu")
    assert r.guided and r.net.inputs.border == r.cfg.warp_border
    calls = []
    real_warp = portrait_renderer.warp_face
    monkeypatch.setattr(portrait_renderer, "warp_face", lambda *a, **k: calls.append(1) or real_warp(*a, **k))
    request = _first_frame_moved_down(tracked, 2.0)
    frame, state, moved = request.frame, request.face, request.face_edit.landmarks
    staged = r.stage(request)
    assert len(calls) == 1
    expected = staged.transform.crop(real_warp(frame, state.landmarks, moved, config=r.net.inputs.warp)[0])
    cond = 9 * r.cfg.n_w
    np.testing.assert_allclose(staged.window[cond : cond + 3].transpose(1, 2, 0), expected, atol=1e-6)
    r.finish(request, staged, np.zeros((r.cfg.resolution,) * 2 + (7,), np.float32))
    assert len(calls) == 1


def _first_frame_moved_down(tracked, px: float) -> FrameRequest:
    """The clip's first frame with its tracked face (landmarks and irises), edited to sit `px` lower."""
    face = Tracks.load(tracked[1]).face
    with VideoReader(tracked[0]) as reader:
        frame = to_float(reader.read(0))
    state = FaceState(face.landmarks[0], face.head_pose[0], face.iris[0], face.focal, (0.0, 0.0))
    moved, iris = state.landmarks.copy(), np.array(state.iris, copy=True)
    moved[:, 1] += px
    iris[:, 1] += px
    return FrameRequest(0, frame, face=state, face_edit=replace(state, landmarks=moved, iris=iris))


def test_a_keep_detail_model_gets_the_edit_region_and_renders_a_frame(tracked, tmp_path):
    """The studio's "keep the footage's detail" option: the network's input ends with the edited
    mouth and eyes where their shape changes, and the renderer composes its output over the
    full-size warp."""
    from render_core.families.portrait.config import KEEP_DETAIL
    from render_core.geometry import face_topology as ft

    res = train_model(make_cfg(tracked, tmp_path / "ck", steps=1, overrides=KEEP_DETAIL), null_context())
    r = load_renderer(res.checkpoint, device="cpu")
    assert r.cfg.edit_region and r.net.inputs.region and r.net.inputs.by_change
    cond = 9 * r.cfg.n_w
    moved = _first_frame_moved_down(tracked, 1.5)  # the whole face moves: the warp keeps its mouth
    staged = r.stage(moved)
    assert staged.window.shape[0] == cond + 4 and staged.window[cond + 3].max() == 0.0
    r.reset()
    request = _first_frame_moved_down(tracked, 0.0)
    opened = request.face_edit.landmarks.copy()
    _, inner = ft.lips()
    opened[[i for i in inner if opened[i, 1] > opened[13, 1]], 1] += 12.0  # the lower lip drops
    request = replace(request, face_edit=replace(request.face_edit, landmarks=opened))
    region = r.stage(request).window[cond + 3]
    assert 0.005 < region.mean() < 0.5 and region.max() > 0.9
    r.reset()
    out = r.render(request)
    assert out.image.shape == request.frame.shape and np.isfinite(out.image).all()
