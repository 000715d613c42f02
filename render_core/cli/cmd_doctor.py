"""`main.py doctor`: what the program will use on this machine, and whether it works."""

from __future__ import annotations

import os
import platform
import sys

from render_core.jobs import JobContext

NAME = "doctor"
HELP = "report Python, torch device, MediaPipe models, ffmpeg/PyAV encoders, Qt platform, cache dir"


def add_arguments(p) -> None:
    p.add_argument("--skip-models", action="store_true", help="do not load the MediaPipe models")


def _torch_info() -> dict:
    import torch

    info = {"torch": torch.__version__, "device": "cpu", "threads": torch.get_num_threads()}
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        info.update(device="cuda", cuda_name=props.name, cuda_memory_gb=round(props.total_memory / 2**30, 1))
    return info


def _mediapipe_info(load_models: bool) -> dict:
    os.environ.setdefault("GLOG_minloglevel", "2")
    import mediapipe as mp

    info: dict = {"mediapipe": mp.__version__}
    if not load_models:
        return info
    for key, make in (
        ("face_mesh_model", lambda: mp.solutions.face_mesh.FaceMesh(refine_landmarks=True)),
        ("pose_model", lambda: mp.solutions.pose.Pose(model_complexity=1, enable_segmentation=True)),
        ("selfie_segmentation_model", lambda: mp.solutions.selfie_segmentation.SelfieSegmentation()),
    ):
        try:
            make().close()
            info[key] = "loads"
        except Exception as e:  # report, do not fail: doctor is a diagnosis
            info[key] = f"fails: {e.__class__.__name__}: {e}"
    return info


def _media_info() -> dict:
    import av
    import imageio_ffmpeg

    encoders = sorted(n for n in ("libx264", "libx265", "h264_nvenc", "aac") if n in av.codecs_available)
    return {
        "pyav": av.__version__,
        "ffmpeg_libs": av.library_versions.get("libavcodec"),
        "encoders": encoders,
        "imageio_ffmpeg_exe": imageio_ffmpeg.get_ffmpeg_exe(),
    }


def _qt_info() -> dict:
    # Checked in a subprocess-free way without importing Qt into the core's process state
    # beyond this diagnostic command.
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None:
        return {"qt": "PySide6 not installed"}
    from importlib.metadata import version

    platform_name = os.environ.get("QT_QPA_PLATFORM") or ("xcb" if os.environ.get("DISPLAY") else "offscreen")
    return {"pyside6": version("PySide6-Essentials"), "qt_platform": platform_name}


def _provenance_info() -> dict:
    """Whether exports can carry Content Credentials: the C2PA library loads, and where this
    install's signing identity lives."""
    from render_core.provenance.credentials import BUNDLE_NAME, credentials_dir

    try:
        import c2pa

        sdk = f"c2pa-rs {c2pa.sdk_version()}"
    except Exception as e:  # report, do not fail: doctor is a diagnosis
        sdk = f"fails: {e.__class__.__name__}: {e}"
    bundle = credentials_dir() / BUNDLE_NAME
    identity = str(bundle) if bundle.exists() else f"{bundle} (made on the first export)"
    return {"c2pa": sdk, "signing_identity": identity}


def run(args, ctx: JobContext) -> dict:
    from render_core.paths import user_cache_dir
    from render_core.samples import sample_clip

    report: dict = {"python": sys.version.split()[0], "platform": platform.platform()}
    steps = [
        _torch_info,
        lambda: _mediapipe_info(not args.skip_models),
        _media_info,
        _qt_info,
        _provenance_info,
    ]
    for i, fn in enumerate(steps):
        ctx.step(i, len(steps), fn.__name__.strip("_") if hasattr(fn, "__name__") else "")
        report.update(fn())
    report["cache_dir"] = str(user_cache_dir())
    sample = sample_clip()
    report["sample_clip"] = str(sample) if sample else "none found"
    ctx.step(len(steps), len(steps), "done")
    return report
