#!/usr/bin/env bash
# Sets up .venv with the pinned stack (only when the pins changed), then runs:
#   bootstrap.sh test            -> lint + the test suite
#   bootstrap.sh ARGS...         -> python main.py ARGS...   (e.g. `demo`)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv"
py="${PYTHON:-python3}"
stamp_src="$(cat packaging/requirements.txt packaging/requirements-dev.txt packaging/constraints.txt | sha256sum | cut -c1-16)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.pins" 2>/dev/null)" != "$stamp_src" ]; then
  echo "bootstrap: installing pinned dependencies into .venv (first run takes a few minutes)" >&2
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
  # --only-binary: every pin has a wheel; a source build (e.g. PyAV without ffmpeg headers) fails.
  "$venv/bin/python" -m pip install -q --only-binary=:all: \
    -r packaging/requirements.txt -r packaging/requirements-dev.txt -c packaging/constraints.txt
  echo "$stamp_src" > "$venv/.pins"
fi
export GLOG_minloglevel=2 TF_CPP_MIN_LOG_LEVEL=2
if [ "${1:-}" = "test" ]; then
  shift
  "$venv/bin/ruff" check render_core studio tests bench main.py
  "$venv/bin/lint-imports" --no-cache >/dev/null || "$venv/bin/lint-imports" --no-cache
  export QT_QPA_PLATFORM=offscreen
  exec "$venv/bin/python" -m pytest -q "$@"
fi
exec "$venv/bin/python" main.py "$@"
