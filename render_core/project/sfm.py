"""Cameras of one video's frames by structure from motion (COLMAP through pycolmap), on the CPU.

Stages: SIFT features (frames downscaled to `max_image_size`), one camera shared by every
frame (one video, one lens), matching each frame with its next `overlap` frames plus the first
frames against the last ones (a walk-around ends where it began: those pairs close the loop
without a vocabulary tree, which would need a download), incremental mapping with bundle
adjustment, and the model that registered most frames.

Why SIMPLE_PINHOLE: a Capture has no lens distortion. On the LLFF head set (66 views)
SIMPLE_RADIAL's focal came out 2.5% long, its k1 (-0.13) absorbing the difference; the pinhole's
was within 1% of the set's focal.

Progress: extraction and matching run in chunks (a progress step between chunks); mapping
reports each registered frame. These stages run in a process of their own (`sfm_process`),
which a cancel ends, so no call here needs to stop itself midway.

Convention: COLMAP's `cam_from_world` is world-to-camera with OpenCV axes, as in a Capture; its
pixel coordinates put the top-left pixel's centre at (0.5, 0.5), a Capture's at (0, 0).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from render_core.jobs import Cancelled, JobContext

DEPTH_PERCENTILES = (1.0, 99.0)  # a camera's near/far: of the depths of the points it sees


@dataclass(frozen=True)
class SfmConfig:
    """max_image_size: long side SIFT works at (px); peak_threshold: SIFT's contrast threshold,
    under COLMAP's 0.0067 because video frames are softer than photos (on the LLFF head orbit
    it gave 45% more features and the weakly linked views their cameras); overlap: later
    frames each frame is matched with; loop_frames: first frames matched against as many last
    frames; chunk: frames per extraction call and pairs per matching call (progress and cancel
    granularity)."""

    max_image_size: int = 1280
    max_features: int = 8192
    peak_threshold: float = 0.004
    overlap: int = 12
    loop_frames: int = 10
    camera_model: str = "SIMPLE_PINHOLE"
    chunk: int = 16
    seed: int = 0


@dataclass(frozen=True)
class SfmResult:
    """registered: indices into the input frames that got a camera, ascending;
    world_to_camera (N, 4, 4) OpenCV, one per registered frame; intrinsics (3, 3) px of the
    shared camera (pixel centres at integers); bounds (N, 2) near/far depths; points (P, 3)."""

    registered: tuple[int, ...]
    world_to_camera: np.ndarray
    intrinsics: np.ndarray
    bounds: np.ndarray
    points: np.ndarray
    reprojection_error: float


def frame_pairs(n: int, overlap: int, loop: int) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, to match: each frame with its next `overlap`, and the first `loop`
    frames with the last `loop` (where a walk-around comes back to its start)."""
    pairs = {(i, j) for i in range(n) for j in range(i + 1, min(n, i + overlap + 1))}
    loop = min(loop, n // 2)
    pairs |= {(i, j) for i in range(loop) for j in range(n - loop, n) if i < j}
    return sorted(pairs)


@contextlib.contextmanager
def _quiet_colmap() -> Iterator[None]:
    """COLMAP logs every step, and a video that gives no model as an error, to stderr (glog);
    the job reports its outcome itself (CLI: one line), so only fatal messages stay."""
    import pycolmap

    before = pycolmap.logging.minloglevel
    pycolmap.logging.minloglevel = max(before, 3)
    try:
        yield
    finally:
        pycolmap.logging.minloglevel = before


def _shared_camera_id(db: Path) -> int:
    import pycolmap

    database = pycolmap.Database.open(db)
    try:
        return database.read_all_cameras()[0].camera_id
    finally:
        database.close()


def extract_features(db: Path, image_dir: Path, names: list[str], cfg: SfmConfig, ctx: JobContext) -> None:
    """SIFT keypoints and descriptors of every frame into `db`; one camera shared by all."""
    import pycolmap

    reader = pycolmap.ImageReaderOptions()
    reader.camera_model = cfg.camera_model
    options = pycolmap.FeatureExtractionOptions()
    options.max_image_size = cfg.max_image_size
    options.sift.max_num_features = cfg.max_features
    options.sift.peak_threshold = cfg.peak_threshold
    for start in range(0, len(names), cfg.chunk):
        ctx.step(start, len(names), f"features {start}/{len(names)}")
        pycolmap.extract_features(
            db,
            image_dir,
            image_names=names[start : start + cfg.chunk],
            camera_mode=pycolmap.CameraMode.SINGLE,
            reader_options=reader,
            extraction_options=options,
            device=pycolmap.Device.cpu,
        )
        if start == 0:
            reader.existing_camera_id = _shared_camera_id(db)  # the later chunks' frames share it
    ctx.step(1, 1, "features")


def match_pairs(
    db: Path, names: list[str], pairs: list[tuple[int, int]], work: Path, cfg: SfmConfig, ctx: JobContext
) -> None:
    """Match and geometrically verify the given frame pairs, `chunk * overlap` pairs a call."""
    import pycolmap

    block = max(1, cfg.chunk * cfg.overlap)
    pair_file = work / "pairs.txt"
    options = pycolmap.ImportedPairingOptions()
    options.match_list_path = str(pair_file)
    for start in range(0, len(pairs), block):
        ctx.step(start, len(pairs), f"matching {start}/{len(pairs)} pairs")
        pair_file.write_text("".join(f"{names[i]} {names[j]}\n" for i, j in pairs[start : start + block]))
        pycolmap.match_image_pairs(db, pairing_options=options, device=pycolmap.Device.cpu)
    ctx.step(1, 1, "matching")


def map_frames(db: Path, image_dir: Path, work: Path, n: int, cfg: SfmConfig, ctx: JobContext):
    """Incremental mapping; the model with the most registered frames (bundle adjusted), or
    None when no model could be started."""
    import pycolmap

    options = pycolmap.IncrementalPipelineOptions()
    options.random_seed = cfg.seed
    registered = [0]

    def next_image() -> None:  # called by COLMAP's thread; must not raise into it
        registered[0] += 1
        with contextlib.suppress(Cancelled):
            ctx.step(min(registered[0], n), n, f"placing cameras {registered[0]}/{n}")

    ctx.step(0, n, "placing cameras")
    models = pycolmap.incremental_mapping(
        db, image_dir, work / "sparse", options=options, next_image_callback=next_image
    )
    return max(models.values(), key=lambda m: m.num_reg_images(), default=None)


def _pixel_centre_k(camera) -> np.ndarray:
    """COLMAP's calibration matrix with the principal point moved to integer pixel centres."""
    k = np.asarray(camera.calibration_matrix(), np.float64).copy()
    k[0, 2] -= 0.5
    k[1, 2] -= 0.5
    return k


def _depth_bounds(model, image, w2c: np.ndarray) -> np.ndarray:
    """Near/far (2,) of one frame: percentiles of the depths of the points it observes."""
    ids = [p.point3D_id for p in image.points2D if p.has_point3D()]
    if not ids:
        return np.array([np.nan, np.nan])
    xyz = np.array([model.points3D[i].xyz for i in ids])
    z = xyz @ w2c[:3, :3].T[:, 2] + w2c[2, 3]
    z = z[z > 0]
    return np.percentile(z, DEPTH_PERCENTILES) if len(z) else np.array([np.nan, np.nan])


def result_of(model, names: list[str]) -> SfmResult:
    """The registered frames' cameras, the shared intrinsics and the points of a model."""
    index = {name: i for i, name in enumerate(names)}
    posed = sorted((index[im.name], im) for im in model.images.values() if im.has_pose)
    w2c = np.tile(np.eye(4), (len(posed), 1, 1))
    bounds = np.zeros((len(posed), 2))
    for row, (_, image) in enumerate(posed):
        w2c[row, :3, :] = image.cam_from_world().matrix()
        bounds[row] = _depth_bounds(model, image, w2c[row])
    camera = next(iter(model.cameras.values()))
    points = np.array([p.xyz for p in model.points3D.values()]).reshape(-1, 3)
    return SfmResult(
        registered=tuple(i for i, _ in posed),
        world_to_camera=w2c,
        intrinsics=_pixel_centre_k(camera),
        bounds=bounds,
        points=points,
        reprojection_error=float(model.compute_mean_reprojection_error()),
    )


def recover_cameras(images: list[Path], work: Path, cfg: SfmConfig, ctx: JobContext) -> SfmResult | None:
    """Cameras of `images` (frames of one video, in clip order, all in one folder); COLMAP's
    database and models go into `work`. None when no model could be built."""
    image_dir = images[0].parent
    names = [p.name for p in images]
    db = work / "database.db"
    with _quiet_colmap():
        extract_features(db, image_dir, names, cfg, ctx.sub(0.0, 0.45))
        pairs = frame_pairs(len(names), cfg.overlap, cfg.loop_frames)
        match_pairs(db, names, pairs, work, cfg, ctx.sub(0.45, 0.7))
        model = map_frames(db, image_dir, work, len(names), cfg, ctx.sub(0.7, 1.0))
    return None if model is None else result_of(model, names)
