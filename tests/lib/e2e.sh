# shellcheck shell=bash
# Frame of an end-to-end test with the real daemons: source this at the top of a test script.
# It checks the prerequisites (skip = exit 77 when not root, a tool or the daemons missing),
# builds a private testbed (unique prefix), captures at the PDN GWs, and tears everything down
# on exit. Provides the data-plane and control-plane assertions every procedure test uses.
set -uo pipefail
_e2e_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$_e2e_root/tests/lib/common.sh"
ds_need_root
ds_need_cmd ip nft dnsmasq dumpcap tshark openssl /usr/bin/python3
export DS_TB_PREFIX="dse$$"
export DS_TB_RUN="/run/dsmip6-testbed/$DS_TB_PREFIX"
. "$_e2e_root/tests/lib/netns.sh"
. "$_e2e_root/testbed/addr.sh"
. "$_e2e_root/tests/lib/capture.sh"
. "$_e2e_root/tests/lib/dsmip6.sh"
ds6_require
TB="$_e2e_root/testbed"
PROBE="$_e2e_root/tests/lib/probe.py"
HOSTILE="$_e2e_root/tests/lib/hostile.py"
# Artefacts of a failed run are kept here for inspection (meson keeps the build tree).
E2E_OUT="$DS6_BUILD/meson-logs/e2e/$(basename "$0" .sh)"
rm -rf "$E2E_OUT"; mkdir -p "$E2E_OUT"
CAP="$E2E_OUT/capture.pcapng"
CAP2="$E2E_OUT/capture-pgw2.pcapng"

ds_install_traps
ds_on_exit "'$TB/topology.sh' down >/dev/null 2>&1"
ds_on_exit "for d in '$DS6_DIR'/*/; do cp -f \"\$d/log\" '$E2E_OUT/'\$(basename \"\$d\").log 2>/dev/null; cp -rf \"\$d/keys\" '$E2E_OUT/'\$(basename \"\$d\")-keys 2>/dev/null; done; true"
"$TB/topology.sh" up >"$E2E_OUT/topology.log" 2>&1 || ds_die "testbed up failed"
ds_capture_start pgw "$CAP" core0 home0 pdn0 || ds_die "capture at pgw"
ds_capture_start pgw2 "$CAP2" core0 pdn0 || ds_die "capture at pgw2"

x() { local r=$1; shift; ip netns exec "$(ds_ns "$r")" "$@"; }

# Only the given accesses of the UE up (home | wlan | nat).
e2e_accesses() {
	local a
	for a in home wlan nat; do
		case " $* " in *" $a "*) "$TB/access.sh" "$a" up ;; *) "$TB/access.sh" "$a" down ;; esac
	done
}

# Data plane between cn and the UE's home addresses: ping both ways and a TCP exchange. cn has
# one address per PDN GW (pass PDN GW 2's, TB_CN6_2 / TB_CN4_2, for a HA 2 connection).
e2e_data() { # label hoa6 [hoa4] [cn6] [cn4]
	local label=$1 h6=$2 h4=${3:-} c6=${4:-$TB_CN6} c4=${5:-$TB_CN4}
	ds_check "$label: cn -> IPv6 HoA ping" x cn ping -6 -c3 -i0.2 -W2 "$h6"
	ds_check "$label: UE -> cn ping from the IPv6 HoA" x ue ping -6 -c3 -i0.2 -W2 -I "$h6" "$c6"
	e2e_tcp "$label: TCP cn -> UE IPv6 HoA" "$h6" "$c6"
	if [ -n "$h4" ]; then
		ds_check "$label: cn -> IPv4 HoA ping" x cn ping -4 -c3 -i0.2 -W2 "$h4"
		ds_check "$label: UE -> cn ping from the IPv4 HoA" x ue ping -4 -c3 -i0.2 -W2 -I "$h4" "$c4"
		e2e_tcp "$label: TCP cn -> UE IPv4 HoA" "$h4" "$c4"
	fi
}
e2e_tcp() { # label server-address (on the UE; cn connects) [cn address expected as peer]
	local out="$E2E_OUT/peer.$RANDOM" port=$((30000 + RANDOM % 10000)) ok=0 peer=
	x ue "$PROBE" tcp-serve "$2" "$port" "$out" & local spid=$!
	ds_wait_for 5 ds_has_output x ue ss -Hltn "sport = :$port"
	if x cn "$PROBE" tcp-connect "$2" "$port" && wait "$spid"; then
		peer=$(cat "$out")
		if [ -n "${3:-}" ]; then [ "$peer" = "$3" ] && ok=1
		else { [ "$peer" = "$TB_CN6" ] || [ "$peer" = "$TB_CN4" ]; } && ok=1; fi
	else
		kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
	fi
	[ "$ok" = 1 ] && ds_pass "$1 (the UE sees cn's own address $peer)" || ds_fail "$1 (peer '$peer')"
}

# Control plane on the capture (decrypted with the UE's key log).
e2e_keys() {
	ds_wireshark_profile "$DS6_DIR/ue/keys" "$E2E_OUT/wireshark"
	export DS_WIRESHARK_CONF="$E2E_OUT/wireshark"
}
e2e_stop_capture() { ds_capture_stop "$CAP"; ds_capture_stop "$CAP2"; e2e_keys; }
# e2e_count PCAP FILTER: number of packets matching a display filter.
e2e_count() { ds_tshark "$1" -Y "$2" -T fields -e frame.number | wc -l; }
e2e_expect() { # description pcap filter [min count]
	local n; n=$(e2e_count "$2" "$3")
	[ "$n" -ge "${4:-1}" ] && ds_pass "$1 ($n)" || ds_fail "$1 (found $n, filter: $3)"
}
e2e_expect_none() { # description pcap filter
	local n; n=$(e2e_count "$2" "$3")
	[ "$n" -eq 0 ] && ds_pass "$1" || ds_fail "$1 (found $n, filter: $3)"
}
# The attach exchanges on the capture: IKE_SA_INIT, IKE_AUTH (EAP-AKA inside), then a BU
# protected by ESP and the accepted BA (status < 128, RFC 6275 cl. 6.1.8).
e2e_expect_attach() { # label pcap
	e2e_expect "$1: IKE_SA_INIT exchange" "$2" "isakmp.exchangetype == 34" 2
	e2e_expect "$1: IKE_AUTH exchanges (EAP-AKA)" "$2" "isakmp.exchangetype == 35" 4
	e2e_expect "$1: EAP-AKA challenge decrypted in IKE_AUTH" "$2" "eap.type == 23" 1
	e2e_expect "$1: BU (H, A, K set)" "$2" "$DS_MH_FILTER and mip6.mhtype == 5 and mip6.bu.h_flag == 1 and mip6.bu.a_flag == 1 and mip6.bu.k_flag == 1"
	e2e_expect "$1: BA accepted" "$2" "$DS_MH_FILTER and mip6.mhtype == 6 and mip6.ba.status < 128"
	e2e_expect_none "$1: no BU outside ESP or UDP 4191" "$2" "$DS_MH_FILTER and mip6.mhtype == 5 and not esp and not udp"
}
# The wire shape of the protected signalling, visible without keys (RFC 4877 cl. 4.1: BU with
# the HAO before ESP; BA with the Type 2 Routing Header before ESP).
e2e_expect_esp_shape() { # label pcap coa hoa
	e2e_expect "$1: ESP from the CoA with the HoA in the HAO (BU)" "$2" "ipv6.src == $3 and esp and ipv6.opt.mipv6.home_address == $4"
	e2e_expect "$1: ESP to the CoA with the HoA in the Type 2 RH (BA)" "$2" "ipv6.dst == $3 and esp and ipv6.routing.mipv6.home_address == $4"
}
