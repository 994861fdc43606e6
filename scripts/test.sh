#!/usr/bin/env bash
# The test command of README.md: runs every test of the workspace.
#
# Tests that need something a machine may lack are #[ignore]d with the reason, and named for
# it: `…_on_a_wgpu_adapter` (a Vulkan/Metal/DX12 adapter; Mesa's lavapipe will do),
# `…_on_the_shared_fixtures` (the real spectra in ../shared/fixtures) and `…_with_zarr_python`
# (python3 with zarr). This script includes
# them wherever their need is met, says which it leaves out and why, and the summary counts
# those as ignored. On Linux it first installs lavapipe and Xvfb (scripts/install-gui-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
gpu=no
if [ "$(uname -s)" = "Linux" ]; then
  if [ -z "${SPECAE_SKIP_GUI_DEPS:-}" ] && scripts/install-gui-deps.sh; then
    gpu=yes
  elif ldconfig -p 2>/dev/null | grep -q libvulkan; then
    gpu=yes
  fi
else
  # Metal on a Mac, DX12 on Windows.
  gpu=yes
fi
args=(--include-ignored)
if [ "$gpu" = no ]; then
  echo "note: no Vulkan loader or lavapipe: the tests named *_on_a_wgpu_adapter are left out" >&2
  args+=(--skip _on_a_wgpu_adapter)
fi
if [ ! -d ../shared/fixtures/sdss ]; then
  echo "note: ../shared/fixtures is absent: the tests named *_on_the_shared_fixtures are left out" >&2
  args+=(--skip _on_the_shared_fixtures)
fi
# zarr-python reading a store specae wrote: where python3 imports zarr (SPECAE_PYTHON picks
# another interpreter).
if ! "${SPECAE_PYTHON:-python3}" -c "import zarr" 2>/dev/null; then
  echo "note: python3 cannot import zarr: the tests named *_with_zarr_python are left out" >&2
  args+=(--skip _with_zarr_python)
fi
# --tests: the library's unit tests and the integration-test binary (tests/suite); examples are
# left to clippy's check, so the test build links two binaries, not four.
cargo test --locked --tests "$@" -- "${args[@]}"
