#!/usr/bin/env bash
# Installs the system packages twpki's demo and tests use, on Debian/Ubuntu:
#   pcscd + libpcsclite-dev  the PC/SC service and the library the smartcard binding builds against
#   vsmartcard-vpcd          the virtual reader driver the virtual HiCOS card plugs into
#   postgresql               a real server for the enrollment store tests
#   chromium, fonts-wqy-zenhei  headless browser tests (Debian's Chromium, a CJK font for screenshots)
#   iproute2                 `ip`, for the loopback quick-ACK setting below
#   openssl                  the command the foreign-CMS tests sign with (CMS made by software other than twpki)
# Skips what is already installed; uses sudo when not root.
#
# Then turns on immediate ACKs for 127.0.0.1. Debian's vpcd driver writes each
# command's 2-byte length and its bytes in two sends without TCP_NODELAY, so
# Nagle holds the APDU until the virtual card's side ACKs the length, and
# Linux delays that ACK by about 40 ms: every APDU through the virtual reader
# took 48 ms (0.35 ms with quick ACKs). Real readers have no such wait. Where
# the route cannot be changed (no root, no CAP_NET_ADMIN) the tests still
# pass, only slower.
set -euo pipefail
packages=(pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools postgresql chromium fonts-wqy-zenhei iproute2 openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: system packages already installed"
else
  echo "setup: installing ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if $sudo ip route replace local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 quickack 1 2>/dev/null; then
  echo "setup: quick ACKs on 127.0.0.1 (the virtual reader answers in well under a millisecond per APDU)"
else
  echo "setup: could not turn on quick ACKs on 127.0.0.1; virtual card tests run, about 48 ms per APDU"
fi
