#!/usr/bin/env bash
# DESI ingest at survey size, end to end: `specae generate --format desi` writes N synthetic
# targets as DESI healpix coadds + redrock files, then `specae ingest` → `train` (a few epochs)
# → `analyze`. Prints each step's wall time and peak memory (GNU time), and the ingest rate in
# targets/s next to the SDSS ingest rate (files/s) on the same machine, measured on the SDSS
# fixtures of ../shared copied into many folders (each copy is read; all but one are then
# dropped as duplicates).
#
#   scripts/bench-desi.sh [N] [WORKDIR]     # default 100000 targets in /var/tmp/specae-bench-desi
#
# SPECAE_BIN picks the binary (default: target/release/specae, built if missing); EPOCHS the
# training epochs (default 2: the step's time per epoch is what matters here). 100,000 targets
# are ~9.5 GB of coadds, as DESI's are (3 arms × 7,958 pixels × flux, ivar, mask per target).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
W="${2:-/var/tmp/specae-bench-desi}"
EPOCHS="${EPOCHS:-2}"
BIN="${SPECAE_BIN:-target/release/specae}"
if [ ! -x "$BIN" ]; then
  cargo build --release --locked --bin specae
fi
rm -rf "$W"
mkdir -p "$W"
step() { # name, command...: runs it under GNU time, prints wall s and peak MB
  local name="$1"
  shift
  /usr/bin/time -f "%e %M" -o "$W/$name.time" "$@" >"$W/$name.log" 2>&1 || {
    echo "$name failed:"
    tail -20 "$W/$name.log"
    exit 1
  }
  read -r wall kb <"$W/$name.time"
  printf '%-10s %8.1f s   peak %7.0f MB\n' "$name" "$wall" "$((kb / 1024))"
}
echo "== $N targets in $W ($(nproc) cores)"
step generate "$BIN" generate --n "$N" --seed 11 --format desi --out "$W/desi"
du -sh "$W/desi" | awk '{print "           files: " $1}'
step ingest "$BIN" ingest "$W/desi" --out "$W/desi.npz"
tail -1 "$W/ingest.log"
step train "$BIN" train --data "$W/desi.npz" --epochs "$EPOCHS" --batch 512 --out "$W/run"
step analyze "$BIN" analyze "$W/run/best.safetensors" --data "$W/desi.npz"
read -r t_desi _ <"$W/ingest.time"
rows=$(grep -o '^[0-9]* kept, [0-9]* duplicates, [0-9]* rejected' "$W/ingest.log" | awk '{print $1 + $3 + $5}')
echo "desi ingest: $rows target rows in $t_desi s = $(awk -v r="$rows" -v t="$t_desi" 'BEGIN {printf "%.0f", r / t}') targets/s"
if [ -d ../shared/fixtures/sdss ]; then
  for k in $(seq 1 50); do
    mkdir -p "$W/sdss/copy$k"
    cp ../shared/fixtures/sdss/*.fit* "$W/sdss/copy$k/"
  done
  files=$(find "$W/sdss" -name '*.fit*' | wc -l)
  step sdss-ingest "$BIN" ingest "$W/sdss" --out "$W/sdss.npz"
  read -r t_sdss _ <"$W/sdss-ingest.time"
  echo "sdss ingest: $files files in $t_sdss s = $(awk -v r="$files" -v t="$t_sdss" 'BEGIN {printf "%.0f", r / t}') files/s"
fi
