#!/usr/bin/env bash
# The one command for a machine with a GPU (and no network): what the GPU engines make of it.
#
#   scripts/gpu-check.sh [RESULTS_DIR]
#
# Runs the binary in SPECAE_BIN if given (copy a release build made elsewhere with
# `cargo build --release --features gpu-cuda`), else target/release/specae, else builds one
# offline (with the CUDA engine when an NVIDIA driver is loaded). Then, each step under its own
# time limit so the whole finishes inside 8 minutes, writing everything to RESULTS_DIR
# (default gpu-check-DATE):
#   1. the machine: OS, nvidia-smi, the Vulkan drivers, `specae devices` (every adapter wgpu
#      lists, the ones the engines open, and why a card is not seen);
#   2. parity: each GPU engine vs the native CPU engine, step by step from the same weights
#      (`specae bench parity`: batch losses, weights, validation loss);
#   3. speed: `specae bench engines` at batch 64, 256, 1024 and 4096 — the first step (kernel
#      compilation), the steady rate, GPU/CPU — then batch 64 again in a second process (are
#      the kernels compiled again?);
#   4. `--backend auto`'s own choice and two epochs of real training on a 16,000-spectrum
#      survey (the epochs' speed against the measurement).
# summary.txt collects the lines that matter; every step's whole output is in its .log.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
summary="$out/summary.txt"
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }
start=$(date +%s)

bin="${SPECAE_BIN:-}"
if [ -z "$bin" ] && [ -x target/release/specae ]; then
  bin=target/release/specae
fi
if [ -z "$bin" ]; then
  features=""
  if [ -r /proc/driver/nvidia/version ]; then features="--features gpu-cuda"; fi
  say "== building specae (cargo build --release --offline $features)"
  # shellcheck disable=SC2086
  if ! cargo build --release --offline $features >"$out/build.log" 2>&1; then
    say "the build failed: see $out/build.log (or pass a prebuilt binary in SPECAE_BIN)"
    exit 1
  fi
  bin=target/release/specae
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
say "specae: $bin ($("$bin" --version 2>&1))"

# Every measurement in this folder, none from (or into) the user's data folder.
export SPECAE_DATA_DIR="$out/data"
# wgpu's and cubecl's warnings too, but not wgpu's OpenGL probing (EGL errors on any headless
# Linux; the engines never use OpenGL).
export RUST_LOG="${RUST_LOG:-warn,wgpu_hal::gles=off}"
export RUST_BACKTRACE=1

# step NAME SECONDS COMMAND...: runs COMMAND under a time limit into NAME.log, says how it went.
failed=0
step() {
  local name=$1 limit=$2
  shift 2
  local t0 rc
  t0=$(date +%s)
  timeout "$limit" "$@" >"$out/$name.log" 2>&1
  rc=$?
  local took=$(($(date +%s) - t0))
  if [ $rc -eq 0 ]; then
    say "-- $name: ok (${took} s)"
  elif [ $rc -eq 124 ]; then
    say "-- $name: TIMED OUT after ${limit} s (partial output in $name.log)"
    failed=$((failed + 1))
  else
    say "-- $name: FAILED with status $rc (${took} s; see $name.log)"
    failed=$((failed + 1))
  fi
  return 0
}

say "== 1. the machine"
{
  uname -a
  echo
  command -v nvidia-smi >/dev/null && nvidia-smi
  echo
  cat /proc/driver/nvidia/version 2>/dev/null
  command -v vulkaninfo >/dev/null && vulkaninfo --summary 2>&1 | head -60
} >"$out/machine.log" 2>&1
step devices 60 "$bin" devices
# Mesa prints XDG_RUNTIME_DIR complaints on machines without a session: not specae's.
grep -v "XDG_RUNTIME_DIR" "$out/devices.log" | sed 's/^/   /' | tee -a "$summary"
"$bin" devices --json >"$out/devices.json" 2>/dev/null

say "== 2. parity with the native engine (same weights, same batches)"
step parity 90 "$bin" bench parity --steps 5
grep -v "XDG_RUNTIME_DIR" "$out/parity.log" | grep -E " OK | BEYOND |FAILED|not available|^error" | sed 's/^/   /' | tee -a "$summary"

say "== 3. speed at batch 64, 256, 1024, 4096 (first step = kernel compilation)"
step engines 200 "$bin" bench engines --batch 64,256,1024,4096 --seconds 3
grep -E "^batch|GPU|failed" "$out/engines.log" | sed 's/^/   /' | tee -a "$summary"
say "   a second process at batch 64 (its first step: are the kernels compiled again?):"
step engines-again 60 "$bin" bench engines --batch 64 --seconds 1
grep -E "^batch" "$out/engines-again.log" | sed 's/^/   /' | tee -a "$summary"

say "== 4. --backend auto's own choice and two epochs of real training"
step generate 60 "$bin" generate --n 16000 --out "$out/survey-16k.npz"
SPECAE_DATA_DIR="$out/auto-data" step train 150 "$bin" train --data "$out/survey-16k.npz" \
  --epochs 2 --batch 64 --out "$out/train"
grep -E "^backend|^epoch|samples|spectra/s|warning|ended" "$out/train.log" | sed 's/^/   /' |
  tee -a "$summary"

say "== done in $(($(date +%s) - start)) s; $failed step(s) failed; results in $out"
[ "$failed" -eq 0 ]
