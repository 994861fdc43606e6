#!/usr/bin/env bash
# System packages the GUI tests and screenshots need on a headless Linux machine:
# Mesa's lavapipe (software Vulkan, so wgpu finds an adapter without a GPU) and Xvfb
# (a virtual X display for the real window). Debian/Ubuntu; run as root or with sudo.
# macOS and Windows need nothing: Metal / DX12 come with the OS.
set -euo pipefail
PKGS=(mesa-vulkan-drivers libvulkan1 xvfb libxkbcommon-x11-0 libxcursor1 libxi6 libxrandr2)
missing=()
for p in "${PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-gui-deps: all present (${PKGS[*]})"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-gui-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
