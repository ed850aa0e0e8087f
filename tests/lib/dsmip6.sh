# shellcheck shell=bash
# Driving the dsmip6 daemons in the testbed: configuration files, credentials, start/stop inside
# a namespace, and queries over the control socket (tests/lib/ctl.py speaks its JSON protocol).
# Needs common.sh, netns.sh and testbed/addr.sh sourced first; DS6_BUILD names the build tree.
#
# Everything a run writes goes under DS6_DIR (default: the testbed run directory), one
# sub-folder per daemon: <role>/{conf.yaml,ctl.sock,log,keys/,...}.

DS6_BUILD=${DS6_BUILD:-$(ds_build_root)}
DS6_DIR=${DS6_DIR:-${DS_TB_RUN:-/run/dsmip6-testbed/$DS_TB_PREFIX}/dsmip6}
DS6_CTL_PY="$(ds_source_root)/tests/lib/ctl.py"

ds6_bin() { echo "$DS6_BUILD/src/cmd/$1"; }

# True when the three programs are built; tests skip (77) otherwise.
ds6_present() {
	local p
	for p in dsmip6-ue dsmip6-ha dsmip6ctl; do [ -x "$(ds6_bin $p)" ] || return 1; done
}
ds6_require() {
	ds6_present || ds_skip "dsmip6-ue / dsmip6-ha / dsmip6ctl are not built in $DS6_BUILD/src/cmd"
}

# A self-signed CA and a HA certificate (EC P-256) for IKEv2 AUTH of the HA (RFC 7296 cl. 2.15;
# TS 33.402 cl. 8.2.2: the UE authenticates the HA with a certificate, the HA the UE with EAP-AKA).
ds6_make_pki() { # dir cn
	local d=$1 cn=$2
	[ -f "$d/ha.pem" ] && return 0
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-subj "/CN=dsmip6 test CA" -keyout "$d/ca.key" -out "$d/ca.pem" >/dev/null 2>&1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
		-keyout "$d/ha.key" -out "$d/ha.csr" >/dev/null 2>&1
	printf 'subjectAltName=DNS:%s\n' "$cn" >"$d/ext.cnf"
	openssl x509 -req -in "$d/ha.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 30 -extfile "$d/ext.cnf" -out "$d/ha.pem" >/dev/null 2>&1
}

# ds6_ha_conf ROLE HA_NUM [extra YAML appended verbatim]: write the HA configuration.
ds6_ha_conf() {
	local role=$1 n=$2 extra=${3:-} d="$DS6_DIR/$1"
	local a6 a4 hnp v4 apn
	if [ "$n" = 1 ]; then
		a6=$TB_HA1_ADDR6 a4=$TB_HA1_ADDR4 hnp=$TB_HA1_HNP_POOL v4=$TB_HA1_V4_POOL apn=$TB_HA_APN1
	else
		a6=$TB_HA2_ADDR6 a4=$TB_HA2_ADDR4 hnp=$TB_HA2_HNP_POOL v4=$TB_HA2_V4_POOL apn=$TB_HA_APN2
	fi
	mkdir -p "$d/keys"
	ds6_make_pki "$DS6_DIR/pki" "$TB_HA_APN1"
	cat >"$d/conf.yaml" <<-YAML
		addresses:
		  ipv6: $a6
		  ipv4: $a4
		pools:
		  hnp: $hnp
		  hnp_length: 64
		  ipv4: $v4
		lifetime:
		  max: 3600
		apns:
		  - $TB_APN1
		  - $TB_APN2
		tun:
		  name: dsha0
		ike:
		  certificate: $DS6_DIR/pki/ha.pem
		  key: $DS6_DIR/pki/ha.key
		  id: $apn
		state:
		  db: $d/state.db
		aaa:
		  mode: embedded
		control:
		  socket: $d/ctl.sock
		log:
		  level: debug
		keylog:
		  dir: $d/keys
	YAML
	[ -n "$extra" ] && printf '%s\n' "$extra" >>"$d/conf.yaml"
	return 0
}

# ds6_ue_conf ROLE [PDN YAML items] : write the UE configuration; the default PDN is the
# "internet" APN with an IPv4 HoA, HA found by DNS (HA-APN lookup, TS 24.303 cl. 5.1.2.1).
ds6_ue_conf() {
	local role=$1 pdn=${2:-} d="$DS6_DIR/$1"
	mkdir -p "$d/keys"
	ds6_make_pki "$DS6_DIR/pki" "$TB_HA_APN1"
	[ -n "$pdn" ] || pdn="  - apn: $TB_APN1
    ipv4_hoa: true
    lifetime: 600"
	cat >"$d/usim.yaml" <<-YAML
		k: $TB_K
		opc: $TB_OPC
	YAML
	cat >"$d/conf.yaml" <<-YAML
		identity:
		  imsi: "$TB_IMSI"
		  mcc: "$TB_MCC"
		  mnc: "${TB_MNC#0}"
		  eap: aka
		  usim_file: $d/usim.yaml
		ike:
		  ca: $DS6_DIR/pki/ca.pem
		tun:
		  name: dsue0
		accesses:
		  - interface: home0
		    kind: 3gpp-home
		    priority: 300
		  - interface: wlan0
		    kind: wlan
		    priority: 200
		  - interface: nat0
		    kind: ipv4
		    priority: 100
		pdn:
		$pdn
		dns:
		  servers:
		    - $TB_DNS6
		    - $TB_DNS4
		control:
		  socket: $d/ctl.sock
		log:
		  level: debug
		keylog:
		  dir: $d/keys
	YAML
}

# Provision the test subscriber (TS 35.208 set 1) in a HA's subscriber store.
ds6_provision() { # role
	ds6_ctl "$1" subscriber-add "{\"imsi\":\"$TB_IMSI\",\"k\":\"$TB_K\",\"opc\":\"$TB_OPC\",\"apn\":[\"*\"]}" >/dev/null
}

# ds6_start ROLE PROGRAM: run a daemon in the namespace of ROLE with its configuration, in the
# foreground of a background job; its pid goes to <role>/pid, its output to <role>/log.
ds6_start() {
	local role=$1 prog=$2 d="$DS6_DIR/$1"
	ip netns exec "$(ds_ns "$role")" "$(ds6_bin "$prog")" -c "$d/conf.yaml" -f -d >"$d/log" 2>&1 &
	echo $! >"$d/pid"
	ds_on_exit "ds6_stop $role"
	ds_wait_for 10 test -S "$d/ctl.sock" || { tail -20 "$d/log" >&2; return 1; }
}
ds6_stop() { # role: SIGTERM (the daemons leave cleanly: routes, nftables table, TUN), then wait
	local d="$DS6_DIR/$1" pid
	[ -f "$d/pid" ] || return 0
	pid=$(cat "$d/pid"); rm -f "$d/pid"
	kill -TERM "$pid" 2>/dev/null || return 0
	ds_wait_for 10 eval "! ds_pid_alive $pid" || kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}
ds6_start_ha() { # role [ha number] [extra YAML]
	local n=${2:-1}
	ds6_ha_conf "$1" "$n" "${3:-}" && ds6_start "$1" dsmip6-ha && ds6_provision "$1"
}
ds6_start_ue() { # role [pdn YAML]
	ds6_ue_conf "$1" "${2:-}" && ds6_start "$1" dsmip6-ue
}

# ds6_ctl ROLE CMD [JSON args] [--get path]
ds6_ctl() {
	local role=$1; shift
	ip netns exec "$(ds_ns "$role")" "$DS6_CTL_PY" "$DS6_DIR/$role/ctl.sock" "$@"
}

# UE state queries: the "status" result has pdn[i].{apn,state,ha,hnp,hoa,ipv4_hoa,coa,tunnel,
# nat,seq,lifetime_s}; state is one of discovering, ike, at-home, registering, registered,
# returning-home, detaching, detached, failed, "not attached".
ds6_pdn_field() { ds6_ctl "$1" status '{}' --get "pdn.${3:-0}.$2" | sed 's|/[0-9]*$||'; }
ds6_state() { ds6_pdn_field "$1" state "${2:-0}"; }
ds6_registered() { [ "$(ds6_state "$1" "${2:-0}")" = registered ]; }
ds6_at_home() { [ "$(ds6_state "$1" "${2:-0}")" = at-home ]; }
ds6_wait_registered() { ds_wait_for "${2:-20}" ds6_registered "$1" "${3:-0}"; }
ds6_hoa6() { ds6_pdn_field "$1" hoa "${2:-0}"; }
ds6_hoa4() { ds6_pdn_field "$1" ipv4_hoa "${2:-0}"; }
ds6_coa() { ds6_pdn_field "$1" coa "${2:-0}"; }
ds6_wait_coa() { # role expected-coa [timeout] [pdn]
	ds_wait_for "${3:-20}" eval "[ \"\$(ds6_coa $1 ${4:-0})\" = '$2' ] && ds6_registered $1 ${4:-0}"
}
# Network-initiated detach of the test subscriber's PDN connection (RFC 5846 revocation).
ds6_ha_detach() { # role [apn]
	ds6_ctl "$1" detach "{\"nai\":\"$TB_NAI\",\"apn\":\"${2:-$TB_APN1}\"}" >/dev/null
}
# 3GPP attach emulation (TS 24.303 cl. 5.1.2.3, TS 23.402 cl. 5.3): the PDN GW allocates the
# PDN connection's prefix, which the UE's S2c bootstrap later receives as its HNP.
ds6_ha_pdn_prefix() { # role [apn] -> the HNP (PREFIX/64)
	ds6_ctl "$1" pdn-prefix "{\"nai\":\"$TB_NAI\",\"apn\":\"${2:-$TB_APN1}\"}" --get hnp
}
# The address the UE forms in a /64 with its own interface identifier, which dsmip6-ue also uses
# for its HoA (HNP | IID): the first 64 bits of SHA-256(NAI), universal/local bit cleared
# (docs/operations.md).
ds6_ue_addr_in() { # PREFIX/64 [nai]
	python3 - "$1" "${2:-$TB_NAI}" <<'PY'
import hashlib, ipaddress, sys
net = ipaddress.IPv6Network(sys.argv[1], strict=False)
iid = bytearray(hashlib.sha256(sys.argv[2].encode()).digest()[:8])
iid[0] &= 0xfd
print(ipaddress.IPv6Address(net.network_address.packed[:8] + bytes(iid)))
PY
}
# HA counters: ds6_counter ROLE PATH (dotted, e.g. ha.bu_received)
ds6_counter() { ds6_ctl "$1" counters '{}' --get "$2"; }
