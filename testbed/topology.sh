#!/usr/bin/env bash
# The dsmip6 namespace testbed: builds (up), removes (down) or shows (status) the network of
# namespaces described in testbed/addr.sh. Idempotent: "up" twice is "up" once; "down" removes
# everything of this prefix (namespaces, the processes inside them, their nftables tables and
# run files) and succeeds when nothing is there.
#
# Usage: DS_TB_PREFIX=name testbed/topology.sh up|down|status
#   DS_TB_PREFIX   namespace prefix (default dsmip6); two testbeds with different prefixes coexist
#   DS_TB_RUN      run directory for pid, log and config files (default /run/dsmip6-testbed/<prefix>)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../tests/lib/common.sh"
. "$here/../tests/lib/netns.sh"
. "$here/addr.sh"
DS_TB_RUN=${DS_TB_RUN:-/run/dsmip6-testbed/$DS_TB_PREFIX}

ROLES=(ue wlan nat net pgw pgw2 cn dns)

up() {
	[ "$(id -u)" = 0 ] || ds_die "testbed: must run as root"
	mkdir -p "$DS_TB_RUN"
	ds_ns_add ue 0
	ds_ns_add wlan 1
	ds_ns_add nat 1
	ds_ns_add net 1
	ds_ns_add pgw 1
	ds_ns_add pgw2 1
	ds_ns_add cn 0
	ds_ns_add dns 0

	# Links (ROLE IF <-> ROLE IF).
	ds_veth ue home0 pgw home0     # 3GPP access: the home link, anchored at the PDN GW
	ds_veth ue wlan0 wlan acc0     # IPv6 WLAN access network
	ds_veth ue nat0 nat in0        # IPv4-only access behind a NAT
	ds_veth wlan up0 net wlan0
	ds_veth nat out0 net nat0
	ds_veth pgw core0 net pgw0
	ds_veth pgw2 core0 net pgw2
	ds_veth dns eth0 net dns0
	ds_veth pgw pdn0 cn eth1
	ds_veth pgw2 pdn0 cn eth2

	# Backbone router: knows the access networks it serves and the HAs, nothing behind them
	# (no PDN, no home prefixes): the UE reaches the PDN only through its HA.
	ds_addr net pgw0 "$TB_NET_PGW6_NET/64"; ds_addr net pgw0 "$TB_NET_PGW4_NET/28"
	ds_addr net wlan0 "$TB_NET_WLAN6_NET/64"
	ds_addr net nat0 "$TB_NET_NAT4_NET/28"
	ds_addr net dns0 "$TB_NET_DNS6_NET/64"; ds_addr net dns0 "$TB_NET_DNS4_NET/28"
	ds_addr net pgw2 "$TB_NET_PGW2_6_NET/64"; ds_addr net pgw2 "$TB_NET_PGW2_4_NET/28"
	ip -n "$(ds_ns net)" -6 route replace 2001:db8:2::/64 via "$TB_WLAN_UP6"
	# The 3GPP access's own link addresses are operator-routed (DNS reachable from the home
	# link); the home address pools are not.
	ip -n "$(ds_ns net)" -6 route replace 2001:db8:1::/64 via "$TB_HA1_ADDR6"
	ip -n "$(ds_ns net)" route replace "198.51.100.0/$TB_HOME4_LEN" via "$TB_HA1_ADDR4"

	# WLAN access router: IPv6 only.
	ds_addr wlan acc0 "$TB_WLAN6_GW/64"
	ds_addr wlan up0 "$TB_WLAN_UP6/64"
	ip -n "$(ds_ns wlan)" -6 route replace default via "$TB_NET_WLAN6_NET"

	# NAT router: IPv4 only, masquerade towards the backbone (nftables table inside its
	# namespace, so it disappears with the namespace).
	ds_nsx nat sysctl -qw net.ipv6.conf.in0.disable_ipv6=1 net.ipv6.conf.out0.disable_ipv6=1
	ds_addr nat in0 "$TB_NAT4_GW/24"
	ds_addr nat out0 "$TB_NAT_PUBLIC4/28"
	ip -n "$(ds_ns nat)" route replace default via "$TB_NET_NAT4_NET"
	ds_nsx nat nft -f - <<-NFT
		table ip dsmip6_tb_nat
		delete table ip dsmip6_tb_nat
		table ip dsmip6_tb_nat {
			chain postrouting {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "out0" masquerade
			}
		}
	NFT

	# PDN GW 1 (HA 1): core side, home link, PDN side.
	ds_addr pgw core0 "$TB_HA1_ADDR6/64"; ds_addr pgw core0 "$TB_HA1_ADDR4/28"
	ip -n "$(ds_ns pgw)" -6 route replace default via "$TB_NET_PGW6_NET"
	ip -n "$(ds_ns pgw)" route replace default via "$TB_NET_PGW4_NET"
	ds_addr pgw home0 "$TB_HOME6_GW/64"; ds_addr pgw home0 "$TB_HOME4_GW/$TB_HOME4_LEN"
	ds_addr pgw pdn0 "$TB_PDN1_GW6/64"; ds_addr pgw pdn0 "$TB_PDN1_GW4/28"

	# PDN GW 2 (HA 2: redirect target, second PDN connection).
	ds_addr pgw2 core0 "$TB_HA2_ADDR6/64"; ds_addr pgw2 core0 "$TB_HA2_ADDR4/28"
	ip -n "$(ds_ns pgw2)" -6 route replace default via "$TB_NET_PGW2_6_NET"
	ip -n "$(ds_ns pgw2)" route replace default via "$TB_NET_PGW2_4_NET"
	ds_addr pgw2 pdn0 "$TB_PDN2_GW6/64"; ds_addr pgw2 pdn0 "$TB_PDN2_GW4/28"

	# Correspondent node: the home addresses are reachable through their PDN GW only.
	ds_addr cn eth1 "$TB_CN6/64"; ds_addr cn eth1 "$TB_CN4/28"
	ds_addr cn eth2 "$TB_CN6_2/64"; ds_addr cn eth2 "$TB_CN4_2/28"
	local cn; cn=$(ds_ns cn)
	ip -n "$cn" -6 route replace 2001:db8:1::/64 via "$TB_PDN1_GW6"
	ip -n "$cn" -6 route replace "$TB_HA1_HNP_POOL" via "$TB_PDN1_GW6"
	ip -n "$cn" route replace "198.51.100.0/$TB_HOME4_LEN" via "$TB_PDN1_GW4"
	ip -n "$cn" route replace "$TB_HA1_V4_POOL" via "$TB_PDN1_GW4"
	ip -n "$cn" -6 route replace "$TB_HA2_HNP_POOL" via "$TB_PDN2_GW6"
	ip -n "$cn" route replace "$TB_HA2_V4_POOL" via "$TB_PDN2_GW4"

	# DNS server with the HA-APN records (RFC 5026 lookup by HA name; TS 24.303 cl. 5.1.2.1).
	ds_addr dns eth0 "$TB_DNS6/64"; ds_addr dns eth0 "$TB_DNS4/28"
	ip -n "$(ds_ns dns)" -6 route replace default via "$TB_NET_DNS6_NET"
	ip -n "$(ds_ns dns)" route replace default via "$TB_NET_DNS4_NET"
	start_dns

	# UE accesses (all up at first).
	"$here/access.sh" home up
	"$here/access.sh" wlan up
	"$here/access.sh" nat up
	ds_log "testbed $DS_TB_PREFIX up (run files in $DS_TB_RUN)"
}

start_dns() {
	local pidf="$DS_TB_RUN/dnsmasq.pid"
	if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then return 0; fi
	ds_nsx dns dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
		--user=root --group=root \
		--listen-address="$TB_DNS6" --listen-address="$TB_DNS4" \
		--pid-file="$pidf" --log-queries --log-facility="$DS_TB_RUN/dnsmasq.log" \
		--host-record="$TB_HA_APN1,$TB_HA1_ADDR4,$TB_HA1_ADDR6" \
		--host-record="$TB_HA_APN2,$TB_HA2_ADDR4,$TB_HA2_ADDR6"
	ds_wait_for 5 test -s "$pidf" || ds_die "dnsmasq did not start (see $DS_TB_RUN/dnsmasq.log)"
}

down() {
	local r
	for r in "${ROLES[@]}" aaa; do ds_ns_del "$r"; done
	rm -rf "$DS_TB_RUN"
	ds_log "testbed $DS_TB_PREFIX down"
}

status() {
	local ns
	for ns in $(ds_ns_list); do
		echo "== $ns"
		ip -n "$ns" -br addr | grep -v '^lo ' || true
		echo "   processes: $(ip netns pids "$ns" | tr '\n' ' ')"
	done
}

case "${1:-}" in
	up) up ;;
	down) down ;;
	status) status ;;
	*) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
