#!/usr/bin/env bash
# Training speed, specae vs shared/anchors/reference.py (PyTorch), side by side on one machine.
#
#   scripts/bench-train.sh [PYTHON] [N_EPOCHS]
#
# Prepares the built-in survey once (specae prep → prepped.npz with the split), then trains
# each side for N_EPOCHS (default 2) at batch 64 and 512 and prints samples/s and the ratio:
# specae's native CPU engine (--backend cpu, the default on the CPU), burn's Flex engine
# (--backend burn-cpu) and PyTorch. Wall time to a loss: scripts/time_to_loss.py.
# PYTHON must import numpy and torch (default: python3).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-python3}
EPOCHS=${2:-2}
REF=../shared/anchors/reference.py
WORK=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$WORK"
cargo build --release --quiet
BIN=target/release/specae
"$BIN" prep --out "$WORK/prepped.npz" >/dev/null
echo "prepped: $WORK/prepped.npz"
have_torch=0
if [ -f "$REF" ] && "$PY" -c "import torch, numpy" 2>/dev/null; then have_torch=1; fi
for B in 64 512; do
  s=$("$BIN" train --prepped "$WORK/prepped.npz" --backend cpu --batch "$B" --epochs "$EPOCHS" \
        --out "$WORK/run-$B" | grep -o '[0-9.]* samples/s' | tail -n 1 | awk '{print $1}')
  sb=$("$BIN" train --prepped "$WORK/prepped.npz" --backend burn-cpu --batch "$B" --epochs "$EPOCHS" \
        --out "$WORK/run-burn-$B" | grep -o '[0-9.]* samples/s' | tail -n 1 | awk '{print $1}')
  line="batch $B: specae native ${s} samples/s, specae on burn-flex ${sb} samples/s"
  if [ $have_torch = 1 ]; then
    t=$("$PY" "$REF" train --prepped "$WORK/prepped.npz" --batch "$B" --epochs "$EPOCHS" --threads "$(nproc)" \
        | tail -n 1 | "$PY" -c "import json,sys; print(json.load(sys.stdin)['samples_per_s'])")
    ratio=$("$PY" -c "print(f'{float(\"$s\")/float(\"$t\"):.2f}')")
    line="$line, PyTorch ${t} samples/s, ratio specae/PyTorch ${ratio}x"
  else
    line="$line (PyTorch not importable with $PY: no comparison)"
  fi
  echo "$line"
done
