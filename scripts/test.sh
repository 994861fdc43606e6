#!/usr/bin/env bash
# The test command of README.md: runs every test of the workspace.
# Installs nothing today; system packages needed by later tests (e.g. Xvfb/Mesa for GUI tests)
# are installed here, so a fresh machine needs only this script.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --locked "$@"
