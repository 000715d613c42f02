"""render_core must never load Qt: the CLI and batch export run without a display."""

import subprocess
import sys

from tests.conftest import REPO


def test_importing_render_core_loads_no_qt():
    code = (
        "import pkgutil, importlib, sys, render_core\n"
        "for m in pkgutil.walk_packages(render_core.__path__, 'render_core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'shiboken6')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
