#!/usr/bin/env bash
# The test command of README.md: runs every test of the workspace.
# On Linux it first installs what the GUI tests render with (Mesa's lavapipe, Xvfb: see
# scripts/install-gui-deps.sh); when that works the wgpu render test is required to run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -s)" = "Linux" ] && [ -z "${SPECAE_SKIP_GUI_DEPS:-}" ]; then
  if scripts/install-gui-deps.sh; then
    export SPECAE_REQUIRE_RENDER="${SPECAE_REQUIRE_RENDER:-1}"
  else
    echo "warning: GUI system packages could not be installed; the wgpu render test will skip" >&2
  fi
fi
# --tests: the library's unit tests and the integration-test binary (tests/suite); examples are
# left to clippy's check, so the test build links two binaries, not four.
cargo test --locked --tests "$@"
