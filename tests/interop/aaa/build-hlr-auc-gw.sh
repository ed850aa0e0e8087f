#!/bin/sh
# Builds hostapd's hlr_auc_gw (the Milenage HLR/AuC emulator that feeds hostapd's EAP-AKA
# server) from Debian's wpa source package, into the folder given as $1, and prints the path
# of the binary. A binary already there is reused. Exit 77 when the source cannot be fetched.
set -e
OUT=${1:?usage: build-hlr-auc-gw.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if [ -x "$OUT/hlr_auc_gw" ]; then
	echo "$OUT/hlr_auc_gw"
	exit 0
fi
W="$OUT/src"
mkdir -p "$W/lists/partial" "$W/cache" "$W/parts"
# deb-src entries derived from the machine's own Debian sources; the security suite is left
# out because it serves no source packages
[ -f /etc/apt/sources.list.d/debian.sources ] || exit 77
awk -v RS= -v ORS='\n\n' '!/security/' /etc/apt/sources.list.d/debian.sources \
	| sed 's/^Types: deb$/Types: deb-src/' > "$W/parts/debian.sources"
A="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$W/parts -o Dir::State::Lists=$W/lists -o Dir::Cache=$W/cache"
cd "$W"
apt-get $A update -qq >/dev/null 2>&1 || exit 77
ls -d wpa-*/ >/dev/null 2>&1 || apt-get $A source -qq wpa >/dev/null 2>&1 || exit 77
cd "$(ls -d wpa-*/ | head -n 1)hostapd"
# the internal crypto is enough for hlr_auc_gw and needs no extra development packages
printf 'CONFIG_TLS=internal\nCONFIG_INTERNAL_LIBTOMMATH=y\n' > .config
make -s hlr_auc_gw >/dev/null
cp hlr_auc_gw "$OUT/hlr_auc_gw"
echo "$OUT/hlr_auc_gw"
