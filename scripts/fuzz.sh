#!/usr/bin/env bash
# Fuzzes specae's readers of untrusted files with cargo-fuzz (libFuzzer + AddressSanitizer):
# survey npz, SDSS FITS (DR8+ and DR7), DESI coadds and redshift files, safetensors
# weights/checkpoints, the analysis cache. The FITS targets get a dictionary of the format's
# keywords and of values that break readers (fuzz/fits.dict): byte-level mutation alone rarely
# writes a whole card such as `TFIELDS = 2147483648`.
#
#   scripts/fuzz.sh [RUNS] [TARGET...]      # default: 1000000 executions of each target
#
# JOBS=2 splits the executions over that many fuzzer processes sharing one corpus (one per
# core). FUZZ_FLAGS passes options to cargo fuzz, e.g. FUZZ_FLAGS=--no-trace-compares: the
# npz readers spend ~60% of their time in comparison tracing of their element loops, so this
# runs ~2.5x more inputs per second at the cost of coarser guidance.
#
# Each target runs RUNS executions on inputs of at most its MAX_LEN (headers, tables and the
# first blocks of data: fast), then FULL_RUNS (default 20000) on whole files as large as the
# seeds (real SDSS spectra are 170-600 KB, ~150 executions/s).
#
# Seeds come from the test suite (tests/suite/untrusted_files.rs writes them) and
# ../shared/fixtures/sdss. Limits: 1 s per input (a hang), 2 GiB per allocation and RSS (a file
# that claims 10^12 pixels must not get them). Crashes land in fuzz/artifacts/<target>/; copy
# each into tests/fixtures/fuzz/<target>/ so the normal test run replays it for good.
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP lets the stable toolchain provide them.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-1000000}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(npz fits desi safetensors analysis_cache labels)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# The project's dependency versions, plus libfuzzer-sys.
[ -f fuzz/Cargo.lock ] || cp Cargo.lock fuzz/Cargo.lock
SEEDS="$PWD/fuzz/seeds"
if [ ! -d "$SEEDS" ]; then
  echo "== writing seed corpora to $SEEDS"
  SPECAE_FUZZ_SEEDS="$SEEDS" SPECAE_SKIP_GUI_DEPS=1 cargo test --locked --test suite untrusted_files
fi
FULL_RUNS="${FULL_RUNS:-20000}"
max_len() {
  case "$1" in
    fits) echo 86400 ;;            # 30 FITS blocks: a whole multiple of 2880 bytes
    desi) echo 259200 ;;           # 90 blocks: a small coadd's every HDU
    npz) echo 131072 ;;               # the small seeds whole, the 1 MB one cut
    analysis_cache) echo 262144 ;;
    *) echo 65536 ;;
  esac
}
JOBS="${JOBS:-1}"
read -r -a FLAGS <<<"${FUZZ_FLAGS:-}"
dict() {
  case "$1" in
    fits | desi) echo "-dict=fuzz/fits.dict" ;;
  esac
}
run1() { # target corpus runs extra-args...
  local t="$1" corpus="$2" runs="$3"
  shift 3
  # shellcheck disable=SC2046
  set -- $(dict "$t") "$@"
  cargo fuzz run "${FLAGS[@]}" "$t" "$corpus" -- -runs="$runs" -timeout=1 -rss_limit_mb=2048 \
    -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" "$@" 2>&1
}
run() { # target corpus runs extra-args...: JOBS processes, RUNS / JOBS executions each
  local t="$1" corpus="$2" runs="$3"
  shift 3
  if [ "$JOBS" -le 1 ]; then
    run1 "$t" "$corpus" "$runs" "$@"
    return
  fi
  cargo fuzz build "${FLAGS[@]}" "$t" 2>&1
  local pids=() j
  for ((j = 1; j <= JOBS; j++)); do
    run1 "$t" "$corpus" $((runs / JOBS)) "$@" >"fuzz/artifacts/$t.job$j.log" &
    pids+=($!)
  done
  for j in "${pids[@]}"; do wait "$j" || true; done
  for ((j = 1; j <= JOBS; j++)); do cat "fuzz/artifacts/$t.job$j.log"; done
}
for t in "${TARGETS[@]}"; do
  corpus="fuzz/corpus/$t"
  mkdir -p "$corpus" "fuzz/artifacts/$t"
  cp -n "$SEEDS/$t"/* "$corpus"/ 2>/dev/null || true
  for phase in "$RUNS -max_len=$(max_len "$t")" "$FULL_RUNS"; do
    set -- $phase
    echo "== $t: $1 executions ${2:-on whole files}"
    start=$(date +%s)
    run "$t" "$corpus" "$@" | tee -a "fuzz/artifacts/$t.log" |
      grep -E "^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|ERROR|panicked|SUMMARY" || true
    echo "== $t: $(grep '^stat::number_of_executed_units' "fuzz/artifacts/$t.log" | tail -n "$JOBS" |
      awk '{s += $2} END {print s}') executions in all ($JOBS process(es))"
    echo "== $t: $(( $(date +%s) - start )) s; crash/leak/timeout files: $(ls "fuzz/artifacts/$t" | wc -l)"
  done
done
