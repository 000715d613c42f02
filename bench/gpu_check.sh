#!/usr/bin/env bash
# The CUDA path in one command: on a machine with an NVIDIA GPU and the repo, sets up the pinned
# stack (packaging/bootstrap.sh's .venv, unless $PYTHON or an existing .venv already has torch
# with CUDA), runs doctor, trains each family 2 minutes with gpu-quality, exports 200 frames
# through each model and prints ms/step, frames/s, peak GPU memory and achieved FLOP/s against
# the measured matmul peak (bench/gpu.py). Under 8 minutes on one H100-class GPU.
# On a machine without a GPU it prints one line and exits 0.
# Usage: bash bench/gpu_check.sh [--minutes M] [--frames N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu_check: no NVIDIA GPU on this machine (nvidia-smi finds none); nothing to check"
  exit 0
fi
has_cuda_torch() { "$1" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; }
py="${PYTHON:-}"
if [ -z "$py" ]; then
  if [ -x .venv/bin/python ] && has_cuda_torch .venv/bin/python; then
    py=.venv/bin/python
  elif has_cuda_torch python3 && python3 -c "import av, cv2, mediapipe, safetensors" 2>/dev/null; then
    py=python3  # a machine image with the stack already installed
  else
    echo "gpu_check: setting up .venv (packaging/bootstrap.sh)" >&2
    bash packaging/bootstrap.sh doctor --quiet >/dev/null
    py=.venv/bin/python
  fi
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
export GLOG_minloglevel=2 TF_CPP_MIN_LOG_LEVEL=2 QT_QPA_PLATFORM=offscreen
exec "$py" -m bench.gpu "$@"
