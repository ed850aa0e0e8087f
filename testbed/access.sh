#!/usr/bin/env bash
# Brings one access of the UE up or down, to drive handovers the way a radio does: "down" takes
# the UE's interface down (its routes go with it, the daemon sees the link change over netlink),
# "up" brings it back with its address and default route.
#
# Usage: testbed/access.sh home|wlan|nat up|down [--hoa6 ADDR] [--hoa4 ADDR]
#   home up --hoa6/--hoa4: emulate the 3GPP attach handing the UE its home addresses on the home
#   link instead of the access's own prefix (TS 24.303 cl. 5.1.2.3: the UE then detects that it
#   is at home); the PDN GW routes those addresses onto the home link.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../tests/lib/common.sh"
. "$here/../tests/lib/netns.sh"
. "$here/addr.sh"

access=${1:-}; action=${2:-}; shift 2 || true
hoa6=; hoa4=
while [ $# -gt 0 ]; do
	case "$1" in
		--hoa6) hoa6=$2; shift 2 ;;
		--hoa4) hoa4=$2; shift 2 ;;
		*) echo "unknown option $1" >&2; exit 2 ;;
	esac
done
ue=$(ds_ns ue)
ds_ns_exists ue || ds_die "testbed $DS_TB_PREFIX is not up"

case "$access" in
	home) ifc=home0 ;;
	wlan) ifc=wlan0 ;;
	nat) ifc=nat0 ;;
	*) echo "usage: $0 home|wlan|nat up|down [--hoa6 ADDR] [--hoa4 ADDR]" >&2; exit 2 ;;
esac

case "$action" in
	down)
		ip -n "$ue" link set "$ifc" down
		if [ "$access" = home ]; then
			# The PDN GW forgets the UE's home link routes (3GPP bearer released).
			ip -n "$(ds_ns pgw)" -6 route show dev home0 proto static 2>/dev/null |
				awk '{print $1}' | while read -r r; do
					ip -n "$(ds_ns pgw)" -6 route del "$r" dev home0 || true; done
			ip -n "$(ds_ns pgw)" -4 route show dev home0 proto static 2>/dev/null |
				awk '{print $1}' | while read -r r; do
					ip -n "$(ds_ns pgw)" route del "$r" dev home0 || true; done
		fi
		;;
	up)
		ip -n "$ue" link set "$ifc" up
		case "$access" in
			home)
				# The 3GPP access gives the UE one prefix on its link: the PDN connection's
				# HNP when --hoa6 is given (the UE then finds itself at home), else the
				# access's own prefix.
				ip -n "$ue" addr flush dev home0 scope global
				if [ -n "$hoa6" ]; then
					ip -n "$ue" addr replace "$hoa6/64" dev home0
					ip -n "$(ds_ns pgw)" -6 route replace "$hoa6/128" dev home0 proto static
				else
					ip -n "$ue" addr replace "$TB_HOME6_UE/64" dev home0
				fi
				if [ -n "$hoa4" ]; then
					ip -n "$ue" addr replace "$hoa4/32" dev home0
					ip -n "$(ds_ns pgw)" route replace "$hoa4/32" dev home0 proto static
				else
					ip -n "$ue" addr replace "$TB_HOME4_UE/$TB_HOME4_LEN" dev home0
				fi
				ip -n "$ue" -6 route replace default via "$TB_HOME6_GW" dev home0 metric 100 onlink
				ip -n "$ue" route replace default via "$TB_HOME4_GW" dev home0 metric 100 onlink
				;;
			wlan)
				ip -n "$ue" addr replace "$TB_WLAN6_UE/64" dev wlan0
				ip -n "$ue" -6 route replace default via "$TB_WLAN6_GW" dev wlan0 metric 200
				;;
			nat)
				# IPv4-only access: no IPv6 on this interface at all.
				ip netns exec "$ue" sysctl -qw net.ipv6.conf.nat0.disable_ipv6=1
				ip -n "$ue" addr replace "$TB_NAT4_UE/24" dev nat0
				ip -n "$ue" route replace default via "$TB_NAT4_GW" dev nat0 metric 300
				;;
		esac
		;;
	*) echo "usage: $0 home|wlan|nat up|down" >&2; exit 2 ;;
esac
