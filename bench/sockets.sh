#!/usr/bin/env bash
# Benchmarks over real sockets in a private namespace testbed (called by bench/run.sh; root).
# Prints "bench: <metric> <value> <unit>" lines.
#   tput.tunnel_mbps.ref  TCP from the UE's WLAN care-of address to the HA address: the direct
#                         veth path the tunnel rides on (ue - wlan - net - pgw)
#   tput.tunnel_mbps      TCP from the UE's home address to cn through the dsmip6 tunnel over
#                         the same WLAN access (needs the daemons)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
. "$root/tests/lib/common.sh"
export DS_TB_PREFIX="dsbench$$"
. "$root/tests/lib/netns.sh"
. "$root/testbed/addr.sh"
probe="$root/tests/lib/probe.py"
SECONDS_EACH=${BENCH_SECONDS:-3}
ds_install_traps
ds_on_exit "'$root/testbed/topology.sh' down >/dev/null 2>&1"
"$root/testbed/topology.sh" up >/dev/null 2>&1 || ds_die "testbed up failed"

# tput SERVER_ROLE SERVER_ADDR CLIENT_ROLE [CLIENT_SOURCE_ADDR]
tput() {
	local srole=$1 saddr=$2 crole=$3 src=${4:-} port=$((20000 + RANDOM % 20000))
	ip netns exec "$(ds_ns "$srole")" "$probe" tput-recv "$saddr" "$port" & local spid=$!
	ds_wait_for 5 ip netns exec "$(ds_ns "$srole")" ss -Hltn "sport = :$port"
	ip netns exec "$(ds_ns "$crole")" "$probe" tput-send "$saddr" "$port" "$SECONDS_EACH" $src
	wait "$spid"
}

# Only the WLAN access up, so the default route is the path being measured.
"$root/testbed/access.sh" home down
"$root/testbed/access.sh" nat down
v=$(tput pgw "$TB_HA1_ADDR6" ue) && echo "bench: tput.tunnel_mbps.ref $v Mbit/s"

if [ -x "$build/src/cmd/dsmip6-ue" ] && [ -x "$build/src/cmd/dsmip6-ha" ]; then
	export DS6_BUILD="$build" DS_TB_RUN="/run/dsmip6-testbed/$DS_TB_PREFIX"
	. "$root/tests/lib/dsmip6.sh"
	if ds6_start_ha pgw && ds6_start_ue ue && ds6_wait_registered ue 20; then
		hoa=$(ds6_hoa6 ue)
		v=$(tput cn "$TB_CN6" ue "$hoa") && echo "bench: tput.tunnel_mbps $v Mbit/s (from HoA $hoa)"
	else
		echo "tunnel throughput not measured: the UE did not register"
	fi
else
	echo "tunnel throughput not measured: dsmip6-ue / dsmip6-ha are not built in $build"
fi
echo "BU/s over sockets and the attach rate against strongSwan are not measured by this driver yet"
