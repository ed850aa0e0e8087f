#!/usr/bin/env bash
# Builds the pieces of the reference peers that Debian does not ship, from Debian's own source
# packages of the installed versions, and caches them under <build>/peers/ (nothing is installed
# system-wide):
#   strongswan  libstrongswan-eap-aka-3gpp.so (EAP-AKA with software Milenage, TS 35.206) and
#               libstrongswan-save-keys.so (IKE/ESP keys for Wireshark), loaded into charon with
#               LD_PRELOAD
#   hlr         hostapd's hlr_auc_gw (Milenage HLR/AuC emulator behind hostapd's EAP-AKA server)
#
# Usage: tests/lib/peers.sh strongswan|hlr|all [BUILD_DIR]   (prints the cache directory)
# Exit status: 0 built or cached; 77 only when the source package truly cannot be fetched (no
# deb-src reachable); 1 on any other failure (a build that breaks is an error, not a skip).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.sh"
what=${1:-all}
build=${2:-$(ds_build_root)}
cache="$(cd "$build" 2>/dev/null && pwd || echo "$build")/peers"
work="$cache/src"
mkdir -p "$work"

# Source lists derived from the machine's own apt configuration: the same mirrors as the binary
# packages, as deb-src. Security suites are left out (they serve no source packages everywhere).
apt_src_opts() {
	local parts="$work/srcparts"
	mkdir -p "$parts" "$work/lists/partial" "$work/cache"
	: >"$parts/src.sources"
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		awk -v RS= -v ORS='\n\n' '!/security/' /etc/apt/sources.list.d/debian.sources |
			sed 's/^Types: deb$/Types: deb-src/' >"$parts/src.sources"
	fi
	if [ -f /etc/apt/sources.list ]; then
		grep -E '^deb ' /etc/apt/sources.list | grep -v security | sed 's/^deb /deb-src /' \
			>"$parts/src.list" || true
	fi
	echo "-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$parts" \
		"-o Dir::State::Lists=$work/lists -o Dir::Cache=$work/cache"
}

# fetch_source PACKAGE VERSION: unpack Debian's source of PACKAGE into $work, exit 77 if the
# source package cannot be downloaded.
fetch_source() {
	local pkg=$1 ver=$2 opts
	[ -n "$(find "$work" -maxdepth 1 -type d -name "$pkg-*" -print -quit)" ] && return 0
	opts=$(apt_src_opts)
	# shellcheck disable=SC2086
	if ! (cd "$work" && apt-get $opts update -qq >/dev/null 2>&1 &&
		apt-get $opts source -qq --only-source "$pkg=$ver" >/dev/null 2>&1); then
		# shellcheck disable=SC2086
		(cd "$work" && apt-get $opts source -qq --only-source "$pkg" >/dev/null 2>&1) ||
			ds_skip "peers: cannot fetch the Debian source package $pkg"
	fi
}

installed_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }

build_strongswan() {
	local out="$cache/strongswan" ver src
	if [ -f "$out/libstrongswan-eap-aka-3gpp.so" ] && [ -f "$out/libstrongswan-save-keys.so" ]; then
		return 0
	fi
	ver=$(installed_version strongswan-charon) || true
	[ -n "$ver" ] || ds_die "peers: strongswan-charon is not installed (scripts/deps.sh)"
	fetch_source strongswan "$ver"
	src=$(find "$work" -maxdepth 1 -type d -name 'strongswan-*' | head -1)
	ds_log "peers: building strongSwan plugins from $(basename "$src") (about a minute)"
	(cd "$src" &&
		./configure -q --prefix=/usr --sysconfdir=/etc --libdir=/usr/lib --libexecdir=/usr/lib \
			--disable-defaults --enable-charon --enable-ikev2 --enable-nonce --enable-random \
			--enable-eap-aka --enable-eap-aka-3gpp --enable-save-keys >"$work/strongswan.log" 2>&1 &&
		make -s -j2 -C src/libstrongswan >>"$work/strongswan.log" 2>&1 &&
		make -s -j2 -C src/libsimaka >>"$work/strongswan.log" 2>&1 &&
		make -s -j2 -C src/libcharon >>"$work/strongswan.log" 2>&1) ||
		{ tail -20 "$work/strongswan.log" >&2; ds_die "peers: strongSwan plugin build failed"; }
	mkdir -p "$out"
	cp "$src/src/libcharon/plugins/eap_aka_3gpp/.libs/libstrongswan-eap-aka-3gpp.so" \
		"$src/src/libcharon/plugins/save_keys/.libs/libstrongswan-save-keys.so" "$out/"
}

build_hlr() {
	local out="$cache/hostapd" ver src
	[ -x "$out/hlr_auc_gw" ] && return 0
	ver=$(installed_version hostapd) || true
	[ -n "$ver" ] || ds_die "peers: hostapd is not installed (scripts/deps.sh)"
	# hostapd is built from the "wpa" source package; its version carries hostapd's epoch.
	fetch_source wpa "$ver"
	src=$(find "$work" -maxdepth 1 -type d -name 'wpa-*' | head -1)
	ds_log "peers: building hlr_auc_gw from $(basename "$src")"
	printf 'CONFIG_TLS=internal\nCONFIG_INTERNAL_LIBTOMMATH=y\n' >"$src/hostapd/.config"
	make -s -C "$src/hostapd" hlr_auc_gw >"$work/hlr.log" 2>&1 ||
		{ tail -20 "$work/hlr.log" >&2; ds_die "peers: hlr_auc_gw build failed"; }
	mkdir -p "$out"
	cp "$src/hostapd/hlr_auc_gw" "$out/"
}

# One builder at a time per cache (e2e and interop tests may ask concurrently).
exec 9>"$cache/.lock"
flock 9
case "$what" in
	strongswan) build_strongswan ;;
	hlr) build_hlr ;;
	all) build_strongswan; build_hlr ;;
	*) echo "usage: $0 strongswan|hlr|all [BUILD_DIR]" >&2; exit 2 ;;
esac
echo "$cache"
