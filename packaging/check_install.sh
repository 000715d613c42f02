#!/usr/bin/env bash
# Slow check (not CI): `pip install .` into a fresh venv with the constraints file, then the
# installed commands run from outside the source tree. Usage: bash packaging/check_install.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(mktemp -d)/venv"
trap 'rm -rf "$(dirname "$venv")"' EXIT
"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
start=$(date +%s)
"$venv/bin/python" -m pip install -q --only-binary=:all: --no-binary=render-studio "$root" -c "$root/packaging/constraints.txt"
echo "installed in $(( $(date +%s) - start )) s"
cd "$(dirname "$venv")"
"$venv/bin/render-studio-cli" doctor --json --quiet | tail -1
test -x "$venv/bin/render-studio"
echo "check_install: ok"
