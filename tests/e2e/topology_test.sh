#!/usr/bin/env bash
# End-to-end test of the namespace testbed itself, with plain routing (no dsmip6 daemon):
# topology up (twice: idempotent), the reachability matrix including the NAT and the paths that
# must NOT work, DNS HA-APN records, access up/down, a second testbed beside the first, then
# down, and nothing left behind (namespaces, processes, run files).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/lib/common.sh"
ds_need_root
ds_need_cmd ip nft dnsmasq ping /usr/bin/python3
export DS_TB_PREFIX="dse2e$$"
. "$root/tests/lib/netns.sh"
. "$root/testbed/addr.sh"
tb="$root/testbed/topology.sh"
acc="$root/testbed/access.sh"
probe="$root/tests/lib/probe.py"
tmp=$(mktemp -d)
ds_install_traps
ds_on_exit "rm -rf '$tmp'"
ds_on_exit "DS_TB_PREFIX=$DS_TB_PREFIX '$tb' down >/dev/null 2>&1"
ds_on_exit "DS_TB_PREFIX=${DS_TB_PREFIX}b '$tb' down >/dev/null 2>&1"

x() { local r=$1; shift; ip netns exec "$(ds_ns "$r")" "$@"; }
ping6_ok() { x "$1" ping -6 -c1 -W2 ${3:+-I "$3"} "$2"; }
ping4_ok() { x "$1" ping -4 -c1 -W2 ${3:+-I "$3"} "$2"; }
# tcp ROLE_SERVER ADDR ROLE_CLIENT [DEV] -> prints the peer address the server saw
tcp_peer() {
	local out="$tmp/peer.$RANDOM"
	x "$1" "$probe" tcp-serve "$2" 7000 "$out" & local spid=$!
	ds_wait_for 5 ds_has_output x "$1" ss -Hltn "sport = :7000" || true
	x "$3" "$probe" tcp-connect "$2" 7000 ${4:+"$4"} || { kill "$spid" 2>/dev/null; wait "$spid"; return 1; }
	wait "$spid" && cat "$out"
}
udp_peer() {
	local out="$tmp/peer.$RANDOM"
	x "$1" "$probe" udp-serve "$2" 4191 "$out" & local spid=$!
	ds_wait_for 5 x "$1" ss -Hlun "sport = :4191" || true
	x "$3" "$probe" udp-send "$2" 4191 ${4:+"$4"} || { kill "$spid" 2>/dev/null; wait "$spid"; return 1; }
	wait "$spid" && cat "$out"
}

echo "# topology up ($DS_TB_PREFIX)"
"$tb" up || ds_die "topology up failed"
ds_check "topology up is idempotent" "$tb" up
n=$(ds_ns_list | wc -l)
[ "$n" -eq 8 ] && ds_pass "8 namespaces ($n)" || ds_fail "8 namespaces (found $n)"

echo "# 3GPP access (home link)"
ds_check "ue home0 -> HA1 IPv6" ping6_ok ue "$TB_HA1_ADDR6" home0
ds_check "ue home0 -> HA1 IPv4" ping4_ok ue "$TB_HA1_ADDR4" home0
ds_check "ue home0 -> cn IPv6 (PDN through the PDN GW)" ping6_ok ue "$TB_CN6" home0
ds_check "ue home0 -> cn IPv4" ping4_ok ue "$TB_CN4" home0
p=$(tcp_peer cn "$TB_CN6" ue home0); [ "$p" = "$TB_HOME6_UE" ] && ds_pass "TCP ue -> cn over home link (peer $p)" || ds_fail "TCP ue -> cn over home link (peer '$p')"

echo "# WLAN access (IPv6 only)"
ds_check "ue wlan0 -> HA1 IPv6" ping6_ok ue "$TB_HA1_ADDR6" wlan0
ds_check "ue wlan0 -> HA2 IPv6" ping6_ok ue "$TB_HA2_ADDR6" wlan0
ds_check "ue wlan0 -> DNS server" ping6_ok ue "$TB_DNS6" wlan0
ds_check_not "ue wlan0 -> cn directly (PDN only through the HA)" ping6_ok ue "$TB_CN6" wlan0
ds_check_not "WLAN access has no IPv4" x ue ping -4 -c1 -W1 -I wlan0 "$TB_HA1_ADDR4"
p=$(tcp_peer pgw "$TB_HA1_ADDR6" ue wlan0); [ "$p" = "$TB_WLAN6_UE" ] && ds_pass "TCP ue -> HA1 over WLAN (peer $p)" || ds_fail "TCP ue -> HA1 over WLAN (peer '$p')"

echo "# IPv4-only access behind the NAT"
ds_check "ue nat0 -> HA1 IPv4 across the NAT" ping4_ok ue "$TB_HA1_ADDR4" nat0
p=$(tcp_peer pgw "$TB_HA1_ADDR4" ue nat0); [ "$p" = "$TB_NAT_PUBLIC4" ] && ds_pass "TCP across the NAT is masqueraded (peer $p)" || ds_fail "TCP across the NAT is masqueraded (peer '$p')"
p=$(udp_peer pgw "$TB_HA1_ADDR4" ue nat0); [ "$p" = "$TB_NAT_PUBLIC4" ] && ds_pass "UDP 4191 across the NAT is masqueraded (peer $p)" || ds_fail "UDP 4191 across the NAT (peer '$p')"
ds_check_not "NAT access has no IPv6 address" sh -c "ip -n $(ds_ns ue) -6 addr show dev nat0 | grep -q inet6"
ds_check_not "NAT inside is not routable from the backbone" ping4_ok pgw "$TB_NAT4_UE"
ds_check_not "ue nat0 -> cn directly" ping4_ok ue "$TB_CN4" nat0

echo "# DNS: HA-APN records (TS 23.003 cl. 21.2)"
a=$(x ue "$probe" dns "$TB_DNS6" "$TB_HA_APN1" AAAA); [ "$a" = "$TB_HA1_ADDR6" ] && ds_pass "AAAA $TB_HA_APN1 = $a" || ds_fail "AAAA $TB_HA_APN1 ('$a')"
a=$(x ue "$probe" dns "$TB_DNS6" "$TB_HA_APN1" A); [ "$a" = "$TB_HA1_ADDR4" ] && ds_pass "A $TB_HA_APN1 = $a" || ds_fail "A $TB_HA_APN1 ('$a')"
a=$(x ue "$probe" dns "$TB_DNS4" "$TB_HA_APN2" AAAA); [ "$a" = "$TB_HA2_ADDR6" ] && ds_pass "AAAA $TB_HA_APN2 over IPv4 = $a" || ds_fail "AAAA $TB_HA_APN2 ('$a')"
ds_check_not "unknown HA-APN has no record" x ue "$probe" dns "$TB_DNS6" "nothere.$TB_HA_APN_OI" AAAA

echo "# correspondent node and the second PDN GW"
ds_check "cn -> ue home link IPv4 via PDN GW 1" ping4_ok cn "$TB_HOME4_UE"
ds_check "cn -> PDN GW 2" ping6_ok cn "$TB_PDN2_GW6"
ds_check "PDN GW 1 -> PDN GW 2 over the backbone" ping6_ok pgw "$TB_HA2_ADDR6"

echo "# access down / up (handover driver)"
"$acc" wlan down
ds_check_not "wlan down: no path over WLAN" ping6_ok ue "$TB_HA1_ADDR6" wlan0
"$acc" wlan up
ds_check "wlan up: path over WLAN again" ping6_ok ue "$TB_HA1_ADDR6" wlan0
"$acc" nat down
ds_check_not "nat down: no IPv4 path over the NAT access" ping4_ok ue "$TB_HA1_ADDR4" nat0
"$acc" nat up
ds_check "nat up: IPv4 path over the NAT access again" ping4_ok ue "$TB_HA1_ADDR4" nat0
"$acc" home down
ds_check_not "home down: no path over the 3GPP access" ping6_ok ue "$TB_HA1_ADDR6" home0
ds_check "home down: WLAN becomes the default path" ping6_ok ue "$TB_HA1_ADDR6"
"$acc" home up --hoa6 2001:db8:100:1::5 --hoa4 198.51.100.17
ds_check "home up with a HoA: cn reaches the IPv6 HoA on the home link" ping6_ok cn 2001:db8:100:1::5
ds_check "home up with a HoA: cn reaches the IPv4 HoA on the home link" ping4_ok cn 198.51.100.17
"$acc" home down
ds_check_not "home down: PDN GW drops the IPv4 HoA route" ping4_ok cn 198.51.100.17
ds_check_not "home down: PDN GW drops the IPv6 HoA route" sh -c "ip -n $(ds_ns pgw) -6 route show dev home0 proto static | grep -q ."
"$acc" home up

echo "# a second testbed beside the first"
if DS_TB_PREFIX="${DS_TB_PREFIX}b" "$tb" up >/dev/null 2>&1; then
	ds_check "second testbed works" ip netns exec "${DS_TB_PREFIX}b-ue" ping -6 -c1 -W2 -I wlan0 "$TB_HA1_ADDR6"
	ds_check "first testbed still works" ping6_ok ue "$TB_HA1_ADDR6" wlan0
	DS_TB_PREFIX="${DS_TB_PREFIX}b" "$tb" down >/dev/null 2>&1
	ds_check_not "second testbed gone, first kept" sh -c "ip netns list | grep -q '^${DS_TB_PREFIX}b-'"
	ds_check "first testbed kept" ds_ns_exists ue
else
	ds_fail "second testbed up"
fi

echo "# down: nothing left"
dnspid=$(cat "/run/dsmip6-testbed/$DS_TB_PREFIX/dnsmasq.pid" 2>/dev/null || echo 0)
"$tb" down
ds_check "down succeeds twice" "$tb" down
n=$(ds_ns_list | wc -l)
[ "$n" -eq 0 ] && ds_pass "no namespace left" || ds_fail "namespaces left: $(ds_ns_list | tr '\n' ' ')"
ds_check_not "dnsmasq stopped" ds_pid_alive "$dnspid"
ds_check_not "run directory removed" test -e "/run/dsmip6-testbed/$DS_TB_PREFIX"
ds_summary
