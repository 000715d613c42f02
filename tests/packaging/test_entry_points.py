"""The installed commands named in pyproject.toml resolve to functions that run: the CLI prints
its help, and the wheel carries the canonical face the core needs."""

from __future__ import annotations

import importlib
import subprocess
import sys
import tomllib

from tests.conftest import REPO


def _scripts() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {**project["scripts"], **project["gui-scripts"]}


def test_every_entry_point_resolves_to_a_callable():
    scripts = _scripts()
    assert {"render-studio", "render-studio-cli"} <= set(scripts)
    for target in scripts.values():
        module, func = target.split(":")
        assert callable(getattr(importlib.import_module(module), func))


def test_the_cli_entry_point_runs_a_command():
    module, func = _scripts()["render-studio-cli"].split(":")
    code = f"import sys, {module}; sys.argv = ['render-studio-cli', '--help']; sys.exit({module}.{func}())"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "doctor" in out.stdout and "render" in out.stdout


def test_the_wheel_installs_the_canonical_face_where_the_core_looks():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    data = project["tool"]["setuptools"]["data-files"]
    ((target, patterns),) = data.items()
    assert target == "share/render-studio/assets" and patterns == ["assets/*.npy"]
    from render_core.geometry import canonical_face as cf

    assert (REPO / "assets" / cf.POINTS_FILE).exists() and cf._INSTALLED_ASSETS.parts[-3:] == (
        "share",
        "render-studio",
        "assets",
    )
