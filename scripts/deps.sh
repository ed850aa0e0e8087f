#!/usr/bin/env bash
# Install dsmip6's build and test dependencies on Debian 12 (idempotent, quiet; fast when present).
set -euo pipefail
PKGS=(
  meson ninja-build pkg-config gcc clang llvm libclang-rt-14-dev
  libssl-dev libmnl-dev libc-ares-dev libradcli-dev libyaml-dev libcyaml-dev libcjson-dev
  libsqlite3-dev libcmocka-dev libevent-dev uthash-dev sqlite3
  python3 python3-scapy tshark iproute2 nftables iputils-ping netcat-openbsd procps
  strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-extra-plugins
  hostapd dnsmasq mscgen graphviz valgrind
  dpkg-dev make
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
