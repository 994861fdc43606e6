#!/usr/bin/env bash
# UMAP speed and quality, specae (patched umap-rs) vs umap-learn (shared/anchors/reference.py),
# side by side on one latents file on one machine.
#
#   scripts/bench-umap.sh LATENTS.npy [PYTHON]
#
# LATENTS.npy: n × k float32, e.g. the latents.npy that `specae analyze MODEL` writes.
# PYTHON must import numpy, scikit-learn and umap-learn (default: python3).
# Prints each side's wall time and the ratio, and the trustworthiness (k = 15) of both
# embeddings on one and the same 5,000-point subsample, computed by scikit-learn.
set -euo pipefail
cd "$(dirname "$0")/.."
LAT=${1:?usage: scripts/bench-umap.sh LATENTS.npy [PYTHON]}
PY=${2:-python3}
REF=../shared/anchors/reference.py
WORK=$(mktemp -d)
cargo build --release --quiet
ours=$(target/release/specae bench umap --latents "$LAT" --out "$WORK/ours.npy")
echo "specae (1 thread, seeded):    $ours"
par=$(target/release/specae bench umap --latents "$LAT" --parallel --out "$WORK/ours_par.npy")
echo "specae (all cores, seeded):   $par"
theirs=$("$PY" "$REF" umap --latents "$LAT" --out "$WORK/ref.npy")
echo "umap-learn (random_state=0): $theirs"
"$PY" - "$LAT" "$WORK/ours.npy" "$WORK/ref.npy" "$ours" "$theirs" "$WORK/ours_par.npy" "$par" <<'PYEOF'
import json, sys
import numpy as np
from sklearn.manifold import trustworthiness
z = np.load(sys.argv[1]).astype(np.float32)
ours, ref = np.load(sys.argv[2]), np.load(sys.argv[3])
t_ours, t_ref = json.loads(sys.argv[4])["umap_s"], json.loads(sys.argv[5])["umap_s"]
sub = np.random.default_rng(0).choice(len(z), size=min(5000, len(z)), replace=False)
tw_ours = trustworthiness(z[sub], ours[sub], n_neighbors=15)
tw_ref = trustworthiness(z[sub], ref[sub], n_neighbors=15)
par = np.load(sys.argv[6]); t_par = json.loads(sys.argv[7])["umap_s"]
tw_par = trustworthiness(z[sub], par[sub], n_neighbors=15)
print(f"wall time: specae {t_ours:.2f} s (all cores {t_par:.2f} s), umap-learn {t_ref:.2f} s; "
      f"ratio specae/umap-learn {t_ours / t_ref:.3f} (all cores {t_par / t_ref:.3f})")
print(f"trustworthiness@15 (same 5k subsample, sklearn): specae {tw_ours:.4f} (all cores {tw_par:.4f}), "
      f"umap-learn {tw_ref:.4f}; difference {tw_ours - tw_ref:+.4f} ({tw_par - tw_ref:+.4f})")
PYEOF
