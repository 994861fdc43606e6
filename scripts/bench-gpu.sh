#!/usr/bin/env bash
# The one command to run on a machine with a GPU (Linux + CUDA/Vulkan, a Mac with Metal):
#
#   scripts/bench-gpu.sh [PYTHON]
#
# 1. `specae bench engines`: spectra/s of the GPU engine (burn on wgpu) and of the native CPU
#    engine at batch 64, 256 and 1024, the first step's time (GPU kernel compilation) and the
#    GPU memory reserved; then again in a new process (does a second launch recompile?).
# 2. `specae train --backend auto` on the built-in survey for a few epochs: the engine chosen
#    by measurement and why.
# 3. PyTorch on the same GPU (scripts/torch_gpu.py, CUDA or MPS) to early stopping: samples/s,
#    peak GPU memory, its best validation loss.
# 4. Wall time for specae on the GPU to reach PyTorch's best loss (scripts/time_to_loss.py).
# PYTHON must import numpy and torch for 3-4 (default: python3); without them 1-2 still run.
# BENCH_DIR keeps the files (default: a temporary folder); EPOCHS (default 3) for step 2.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-python3}
EPOCHS=${EPOCHS:-3}
WORK=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$WORK"
cargo build --release --locked --quiet
BIN=target/release/specae
echo "== 1. engines (first process)"
"$BIN" bench engines --batch 64,256,1024
echo "== 1b. engines (second process: kernels compiled again?)"
"$BIN" bench engines --batch 64 --seconds 2
echo "== 2. specae train --backend auto ($EPOCHS epochs)"
"$BIN" prep --out "$WORK/prepped.npz" >/dev/null
"$BIN" train --prepped "$WORK/prepped.npz" --backend auto --epochs "$EPOCHS" --out "$WORK/auto"
if ! "$PY" -c "import torch, numpy" 2>/dev/null; then
  echo "== 3-4 skipped: $PY cannot import torch and numpy"
  exit 0
fi
echo "== 3. PyTorch on the GPU, to early stopping"
"$PY" scripts/torch_gpu.py --prepped "$WORK/prepped.npz" | tee "$WORK/torch_gpu.jsonl" | tail -n 1
best=$("$PY" -c "import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1]).get('best_valid_loss', ''))" "$WORK/torch_gpu.jsonl")
if [ -z "$best" ]; then echo "== 4 skipped: PyTorch found no GPU"; exit 0; fi
echo "== 4. specae on the GPU to PyTorch's best validation loss ($best)"
"$PY" scripts/time_to_loss.py --prepped "$WORK/prepped.npz" --python "$PY" --specae "$BIN" \
  --target "$best" --out "$WORK/time-to-loss" --specae-args "--backend wgpu"
