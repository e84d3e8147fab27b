#!/usr/bin/env bash
# Installs the system packages twpki's demo and tests use, on Debian/Ubuntu:
#   pcscd + libpcsclite-dev  the PC/SC service and the headers the pcsclite binding builds against
#   vsmartcard-vpcd          the virtual reader driver the virtual HiCOS card plugs into
#   postgresql               a real server for the enrollment store tests
#   chromium, fonts-wqy-zenhei  headless browser tests (Debian's Chromium, a CJK font for screenshots)
# Skips what is already installed; uses sudo when not root.
set -euo pipefail
packages=(pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools postgresql chromium fonts-wqy-zenhei)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: system packages already installed"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
