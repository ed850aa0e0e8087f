# shellcheck shell=bash
# Network namespace helpers. Namespaces are named "<prefix>-<role>"; the prefix comes from
# DS_TB_PREFIX (default "dsmip6"). Interface names inside a namespace are short fixed names: veth
# pairs are created directly inside their namespaces, so nothing ever appears in the caller's
# namespace and two testbeds with different prefixes cannot collide.

DS_TB_PREFIX=${DS_TB_PREFIX:-dsmip6}

ds_ns() { echo "${DS_TB_PREFIX}-$1"; }
ds_nsx() { local ns; ns=$(ds_ns "$1"); shift; ip netns exec "$ns" "$@"; }
ds_ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$(ds_ns "$1")"; }

# Create a namespace with loopback up, IPv6 DAD off (addresses usable at once, which keeps tests
# fast and deterministic) and forwarding as asked.
ds_ns_add() { # role forwarding(0|1)
	local ns; ns=$(ds_ns "$1")
	ip netns list | awk '{print $1}' | grep -qx "$ns" || ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.forwarding="$2" net.ipv4.ip_forward="$2" \
		net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 \
		net.ipv6.conf.all.keep_addr_on_down=1 net.ipv6.conf.default.keep_addr_on_down=1
}

# Kill every process still running inside the namespace (only processes this testbed started can
# be there), then delete it.
ds_ns_del() { # role
	local ns all pids p
	ns=$(ds_ns "$1")
	ip netns list | awk '{print $1}' | grep -qx "$ns" || return 0
	all=$(ip netns pids "$ns" 2>/dev/null)
	for p in $all; do kill "$p" 2>/dev/null; done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -z "$pids" ] && break
		sleep 0.1
	done
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	ip netns del "$ns"
	# Wait until the processes are gone, not merely signalled.
	for p in $all; do ds_wait_for 5 eval "! ds_pid_alive $p" || true; done
}

# A veth pair between two namespaces: ds_veth ROLE_A IF_A ROLE_B IF_B
ds_veth() {
	local a b
	a=$(ds_ns "$1"); b=$(ds_ns "$3")
	ip -n "$a" link show "$2" >/dev/null 2>&1 && return 0
	ip link add "$2" netns "$a" type veth peer name "$4" netns "$b"
	ip -n "$a" link set "$2" up
	ip -n "$b" link set "$4" up
}

# Add an address unless present (idempotent): ds_addr ROLE IF ADDR/LEN
ds_addr() {
	ip -n "$(ds_ns "$1")" addr replace "$3" dev "$2" ${4:+$4}
}

# All namespaces of this prefix.
ds_ns_list() { ip netns list | awk '{print $1}' | grep "^${DS_TB_PREFIX}-" || true; }
