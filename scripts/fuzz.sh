#!/usr/bin/env bash
# Fuzzes specae's readers of untrusted files with cargo-fuzz (libFuzzer + AddressSanitizer):
# survey npz, SDSS FITS (DR8+ and DR7), safetensors weights/checkpoints, the analysis cache.
#
#   scripts/fuzz.sh [RUNS] [TARGET...]      # default: 1000000 executions of each target
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
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(npz fits safetensors analysis_cache)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# The project's dependency versions, plus libfuzzer-sys.
[ -f fuzz/Cargo.lock ] || cp Cargo.lock fuzz/Cargo.lock
SEEDS="$PWD/fuzz/seeds"
if [ ! -d "$SEEDS" ]; then
  echo "== writing seed corpora to $SEEDS"
  SPECAE_FUZZ_SEEDS="$SEEDS" SPECAE_SKIP_GUI_DEPS=1 cargo test --locked --test suite untrusted_files
fi
for t in "${TARGETS[@]}"; do
  corpus="fuzz/corpus/$t"
  mkdir -p "$corpus" "fuzz/artifacts/$t"
  cp -n "$SEEDS/$t"/* "$corpus"/ 2>/dev/null || true
  echo "== $t: $RUNS executions"
  start=$(date +%s)
  cargo fuzz run "$t" "$corpus" -- -runs="$RUNS" -timeout=1 -rss_limit_mb=2048 \
    -malloc_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="fuzz/artifacts/$t/" 2>&1 | tee "fuzz/artifacts/$t.log" | grep -E "^(#[0-9]+ *DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|Done)" || true
  echo "== $t: $(( $(date +%s) - start )) s; crashes: $(ls "fuzz/artifacts/$t" | wc -l)"
done
