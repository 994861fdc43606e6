#!/usr/bin/env bash
# Type-checks the Mac build (Apple silicon: Metal through wgpu, the GPU engine on by default)
# on a Linux machine: rustup's aarch64-apple-darwin standard library, and clang as the C
# compiler for build scripts. Installs both when missing (apt; root or sudo). Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=aarch64-apple-darwin
if ! rustup target list --installed | grep -qx "$TARGET"; then
  echo "mac-check: rustup target add $TARGET"
  rustup target add "$TARGET"
fi
if ! command -v clang >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "mac-check: installing clang"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends clang
fi
export CC_aarch64_apple_darwin=clang
cargo check --locked --target "$TARGET" --all-targets
