"""`main.py render PROJECT [PROJECT ...] -o OUT`: export edited clips (batch when several).

An image-set project renders a camera path instead: its saved document's (the path and the
viewpoint keys the studio saved), else the default orbit; `--camera-path`, `--height` and
`--capture-timing` override the saved path. With `-o PATH.json` the path itself is written, as
a nerfstudio camera_path, and nothing is rendered."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from render_core.cli.args import add_encoding_arguments, frame_range
from render_core.errors import InputError
from render_core.jobs import JobContext

if TYPE_CHECKING:
    from render_core.project.document import CameraPathSettings, Project
    from render_core.render.camera_path import PathRenderConfig

NAME = "render"
HELP = "export a project's edited clip (MP4, ProRes MOV or PNG sequence) with its audio (several: batch)"


def add_arguments(p) -> None:
    p.add_argument("projects", nargs="+", metavar="PROJECT")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help="output file (one project; with --format png its sequence folder) or folder (several: one each)",
    )
    p.add_argument(
        "--frames", type=frame_range, help="only frames A:B (default: the project's in/out marks; 0: = all)"
    )
    p.add_argument("--renderer", help="'warp' or a model id of the project (default: the project's)")
    p.add_argument("--no-audio", action="store_true", help="leave the audio out")
    p.add_argument("--no-cache", action="store_true", help="re-render every edited frame")
    p.add_argument(
        "--camera-path",
        type=camera_path_argument,
        metavar="orbit|capture|smooth|FILE.json",
        help="image-set projects: orbit 360, follow the captured cameras, follow them steadied, or "
        "a nerfstudio camera_path file (in the capture's world frame); default: the path the "
        "project was saved with in the studio, else orbit; "
        "with -o PATH.json the path is written as a nerfstudio camera_path instead of rendered",
    )
    p.add_argument(
        "--capture-timing",
        action="store_true",
        help="--camera-path smooth: keep the capture's pace (default: constant speed)",
    )
    add_encoding_arguments(p)


def camera_path_argument(text: str) -> str:
    """A one-click path's name or a .json file's path, else an argparse error naming both."""
    from render_core.render.camera_path import ONE_CLICK_PATHS

    if text in ONE_CLICK_PATHS or Path(text).suffix.lower() == ".json":
        return text
    raise argparse.ArgumentTypeError(
        f"{text!r} is neither a one-click path ({', '.join(ONE_CLICK_PATHS)}) nor a camera_path .json file"
    )


def outputs_for(projects: list[str], output: str, format_name: str | None = None) -> list[Path]:
    """One project: the output itself (a file, or the folder of its PNG sequence); several: a
    folder holding `<project name>.<ext>` each (with png, a sequence folder each)."""
    from render_core.media.formats import FORMATS

    png = format_name == "png"
    if len(projects) == 1 and (Path(output).suffix or png):
        return [Path(output)]
    folder = Path(output)
    if folder.suffix:
        raise InputError(folder, "several projects need an output folder, not a file name")
    suffix = FORMATS[format_name or "h264"].suffix
    return [folder / f"{name}{suffix}" for name in batch_names(projects)]


def batch_names(projects: list[str]) -> list[str]:
    """One distinct output name per project: its name, or `<parent folder>-<name>` where two
    projects share a name (`a/good.rfproj`, `b/good.rfproj`), numbered if that still clashes.
    Never two renders into one file, the second silently replacing the first."""
    from render_core.project.io import project_folder

    folders = [project_folder(p).resolve() for p in projects]
    seen: dict[Path, str] = {}
    for given, folder in zip(projects, folders, strict=True):
        if folder in seen:
            raise InputError(given, f"is given twice (also as {seen[folder]})")
        seen[folder] = given
    stems = [f.stem for f in folders]
    names = [f"{f.parent.name}-{f.stem}" if stems.count(f.stem) > 1 else f.stem for f in folders]
    out: list[str] = []
    for name in names:
        k, unique = 2, name
        while unique in out:
            unique, k = f"{name}-{k}", k + 1
        out.append(unique)
    return out


def run(args, ctx: JobContext) -> dict:
    from render_core.project.io import load_project
    from render_core.render.camera_path import image_set_folder
    from render_core.render.export_checks import check_export
    from render_core.render.pipeline import RenderConfig, marked_frames, render_clip

    if len(args.projects) == 1 and (folder := image_set_folder(args.projects[0])) is not None:
        return run_image_set(args, folder, ctx)
    outs = outputs_for(args.projects, args.output, args.format)
    projects = [load_project(p) for p in args.projects]  # fail early, before any long render
    cfgs = []
    for project, out in zip(projects, outs, strict=True):
        cfg = RenderConfig(
            format=args.format,
            output=str(out),
            frames=args.frames or marked_frames(project),
            renderer=args.renderer,
            height=args.height,
            crf=args.crf,
            preset=args.preset,
            audio=False if args.no_audio else None,
            use_cache=not args.no_cache,
            device=args.device,
        )
        check_export(project, cfg)  # every item, before the first long render
        cfgs.append(cfg)
    results = []
    for i, (project, cfg) in enumerate(zip(projects, cfgs, strict=True)):
        results.append(render_clip(project, cfg, ctx.sub(i / len(projects), (i + 1) / len(projects))))
    return results[0] if len(results) == 1 else {"renders": results, "count": len(results)}


def run_image_set(args, folder: Path, ctx: JobContext) -> dict:
    """Render an image-set project's camera path with its saved viewpoint keys, or write that
    path, keys applied (`-o PATH.json`)."""
    from render_core.render.camera_path import export_camera_path, render_document

    project, cfg = image_set_job(args, folder)
    if Path(args.output).suffix.lower() != ".json":
        return render_document(project, cfg, ctx)
    if args.format is not None:
        raise InputError(args.output, "is a camera path (.json): --format does not apply")
    return export_camera_path(folder, cfg, project.timeline)


def image_set_job(args, folder: Path) -> tuple[Project, PathRenderConfig]:
    """(the saved document with the path flags given applied, its render config); a folder
    never saved from the studio has a new document on the default orbit. InputError naming
    project.json when it cannot be read."""
    from render_core.project.io import load_image_set_document
    from render_core.render.camera_path import document_config

    project = load_image_set_document(folder)
    project = replace(project, camera_path=path_flags(project.camera_path, args))
    crf, preset = args.crf or project.export.crf, args.preset or project.export.preset
    return project, document_config(project, args.output, crf=crf, preset=preset, device=args.device)


def path_flags(settings: CameraPathSettings, args) -> CameraPathSettings:
    """The saved path with what the command line gives instead (a path file relative to the
    working folder, as the shell completed it)."""
    from render_core.render.camera_path import ONE_CLICK_PATHS

    changes: dict = {}
    if args.camera_path is not None:
        named = args.camera_path in ONE_CLICK_PATHS
        changes["path"] = args.camera_path if named else str(Path(args.camera_path).resolve())
    if args.height:
        changes["height"] = args.height
    if args.capture_timing:
        changes["constant_speed"] = False
    return replace(settings, **changes)
