#!/usr/bin/env bash
# Slow check (not CI): build the one-folder desktop app with PyInstaller, then smoke-run the
# frozen app: `doctor --json` (Python, torch, MediaPipe models, encoders, Qt, C2PA), an export
# that its own `verify` accepts, and the studio's screenshot under Xvfb when xvfb-run exists.
# Usage: bash packaging/build_app.sh            (PYTHON=... picks the interpreter with the
#        pinned stack; default .venv/bin/python as bootstrap.sh makes it)
# Output: build/dist/render-studio/ (run build/dist/render-studio/render-studio), with the
# .desktop file and the icon beside it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
tools="$root/build/app-tools"  # PyInstaller lives here, not in the project's environment
dist="$root/build/dist"
app="$dist/render-studio"

"$python" -m pip install -q --upgrade --target "$tools" --only-binary=:all: \
    pyinstaller==6.22.3 pyinstaller-hooks-contrib==2026.9
start=$(date +%s)
PYTHONPATH="$tools" "$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$root/build/work" "$root/packaging/render_studio.spec"
cp "$root/packaging/render-studio.desktop" "$root/packaging/render-studio.svg" "$app/"
echo "built in $(( $(date +%s) - start )) s; size $(du -sh "$app" | cut -f1)"

smoke="$(mktemp -d)"
trap 'rm -rf "$smoke"' EXIT
cd "$smoke"  # run from outside the checkout: the app must find everything inside itself
export RENDER_STUDIO_C2PA_DIR="$smoke/c2pa"  # a throw-away signing identity
"$app/render-studio" doctor --json --quiet | tail -1 | tee doctor.json
grep -q '"face_mesh_model": "loads"' doctor.json
grep -q '"c2pa": "c2pa-rs' doctor.json
# an export from the frozen app carries Content Credentials that its own `verify` accepts
(cd "$root" && "$python" -c "from tests.corpus import make_clip; make_clip('$smoke/clip.mp4', frames=12)")
"$app/render-studio" project new clip.mp4 -o clip.rfproj --quiet
"$app/render-studio" render clip.rfproj -o out.mp4 --quiet
"$app/render-studio" verify out.mp4 --quiet --json | tail -1
if command -v xvfb-run >/dev/null; then
    clip="$(cd "$root" && "$python" -c 'from render_core.samples import sample_clip; print(sample_clip() or "")')"
    if [ -n "$clip" ]; then
        xvfb-run -a -s "-screen 0 1600x1000x24" "$app/render-studio" --screenshot "$root/build/app-screenshot.png" "$clip"
        echo "studio screenshot: $root/build/app-screenshot.png"
    fi
fi
echo "build_app: ok"
