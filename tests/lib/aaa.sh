# shellcheck shell=bash
# Authentication helpers for the end-to-end tests of dsmip6-ha's AAA paths:
#  - a 3GPP AAA server in the testbed: hostapd as a RADIUS EAP server (RFC 3579, driver=none)
#    with EAP-AKA / EAP-AKA' whose authentication vectors come from hlr_auc_gw (Milenage,
#    TS 35.206), in its own namespace "aaa" on the operator backbone, reachable from the PDN GW
#    (testbed/topology.sh down removes the namespace with the others);
#  - a HA certificate whose subjectAltNames cover the HA-APN and the APN, so that any IKEv2 peer
#    that checks the responder's IDr (the HA answers with the APN it was asked for, R-12)
#    against the certificate accepts it;
#  - dsmip6-ue instances with their own identity and USIM, one after the other in the UE
#    namespace, and dsmip6ctl against any daemon's control socket.
#  - a refused attach and what both sides and the capture show of it (aaa_refused,
#    aaa_expect_refusal).
# Needs tests/lib/e2e.sh sourced (the testbed, dsmip6.sh, the capture and its assertions).

# The AAA link on the backbone (RFC 5737 / RFC 3849 documentation ranges, unused by addr.sh).
AAA_NET4=192.0.2.81     AAA_ADDR4=192.0.2.82     AAA_LEN4=28
AAA_NET6=2001:db8:ff:aaa::1 AAA_ADDR6=2001:db8:ff:aaa::2
AAA_PORT=1812           # RFC 2865 cl. 3
AAA_SECRET=s2c-aaa-shared-secret

# aaa_up: the aaa namespace, linked to the backbone router "net".
aaa_up() {
	ds_ns_add aaa 0
	ds_veth aaa eth0 net aaa0
	ds_addr net aaa0 "$AAA_NET4/$AAA_LEN4"; ds_addr net aaa0 "$AAA_NET6/64"
	ds_addr aaa eth0 "$AAA_ADDR4/$AAA_LEN4"; ds_addr aaa eth0 "$AAA_ADDR6/64"
	ip -n "$(ds_ns aaa)" route replace default via "$AAA_NET4"
	ip -n "$(ds_ns aaa)" -6 route replace default via "$AAA_NET6"
}

# aaa_start DIR HLR_AUC_GW CLIENT_ADDR SUBSCRIBER...: hlr_auc_gw and hostapd in the aaa
# namespace, everything written under DIR. Each SUBSCRIBER is "IMSI K OPC [AMF [SQN]]"
# (hlr_auc_gw milenage_db line; AMF 8000 = separation bit, SQN 000000000020 by default).
# CLIENT_ADDR is the RADIUS client (the HA's source address) allowed with AAA_SECRET.
aaa_start() {
	local d=$1 hlr=$2 client=$3 s
	shift 3
	mkdir -p "$d"
	: >"$d/milenage_db"
	for s in "$@"; do
		# shellcheck disable=SC2086
		set -- $s
		echo "$1 $2 $3 ${4:-8000} ${5:-000000000020}" >>"$d/milenage_db"
	done
	# Permanent identities: "0" EAP-AKA, "6" EAP-AKA' (TS 23.003 cl. 19.3.2).
	printf '"0"*\tAKA\n"6"*\tAKA'"'"'\n' >"$d/eap_user"
	printf '%s/32 %s\n' "$client" "$AAA_SECRET" >"$d/radius_clients"
	cat >"$d/hostapd.conf" <<-EOT
		driver=none
		interface=aaa-radius
		logger_stdout=-1
		logger_stdout_level=1
		eap_server=1
		eap_user_file=$d/eap_user
		eap_sim_db=unix:$d/hlr.sock
		radius_server_clients=$d/radius_clients
		radius_server_auth_port=$AAA_PORT
	EOT
	ip netns exec "$(ds_ns aaa)" "$hlr" -s "$d/hlr.sock" -m "$d/milenage_db" >"$d/hlr.log" 2>&1 &
	echo $! >"$d/hlr.pid"
	ds_on_exit "kill \$(cat '$d/hlr.pid' 2>/dev/null) 2>/dev/null; true"
	ds_wait_for 5 test -S "$d/hlr.sock" || { cat "$d/hlr.log" >&2; return 1; }
	ds_on_exit "aaa_hostapd_stop '$d'"
	aaa_hostapd_start "$d"
}
# aaa_hostapd_start DIR / aaa_hostapd_stop DIR: the RADIUS server alone (an AAA outage and its
# end); hlr_auc_gw keeps running.
aaa_hostapd_start() {
	local d=$1
	ip netns exec "$(ds_ns aaa)" hostapd "$d/hostapd.conf" >>"$d/hostapd.log" 2>&1 &
	echo $! >"$d/hostapd.pid"
	ds_wait_for 10 aaa_listening || { tail -20 "$d/hostapd.log" >&2; return 1; }
}
aaa_hostapd_stop() {
	local d=$1 pid
	[ -f "$d/hostapd.pid" ] || return 0
	pid=$(cat "$d/hostapd.pid"); rm -f "$d/hostapd.pid"
	kill "$pid" 2>/dev/null
	ds_wait_for 5 eval "! ds_pid_alive $pid" || kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}
aaa_listening() { ip netns exec "$(ds_ns aaa)" ss -Hlun "sport = :$AAA_PORT" | grep -q .; }

# aaa_ha_radius_yaml [TIMEOUT_S RETRIES]: the YAML "aaa:" block of dsmip6-ha for the RADIUS
# back end towards the aaa namespace.
aaa_ha_radius_yaml() {
	printf 'aaa:\n  mode: radius\n  radius:\n    server: %s:%s\n    secret: %s\n' \
		"$AAA_ADDR4" "$AAA_PORT" "$AAA_SECRET"
	[ -n "${1:-}" ] && printf '    timeout: %s\n    retries: %s\n' "$1" "${2:-1}"
	return 0
}

# aaa_ha_conf ROLE HA_NUM AAA_YAML: ds6_ha_conf with the "aaa:" block replaced.
aaa_ha_conf() {
	local role=$1 n=$2 yaml=$3 f="$DS6_DIR/$1/conf.yaml"
	aaa_make_pki "$DS6_DIR/pki" || return 1
	ds6_ha_conf "$role" "$n" || return 1
	awk -v repl="$yaml" '
		/^aaa:/ { print repl; skip = 1; next }
		skip && /^[ \t]/ { next }
		{ skip = 0; print }' "$f" >"$f.new" && mv "$f.new" "$f"
}

# aaa_make_pki DIR: the test CA and a HA certificate (EC P-256) naming the HA-APN and the APN
# (subjectAltName DNS), made before dsmip6.sh would make its own (it keeps an existing one).
aaa_make_pki() {
	local d=$1
	[ -f "$d/ha.pem" ] && return 0
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
		-subj "/CN=dsmip6 test CA" -keyout "$d/ca.key" -out "$d/ca.pem" >/dev/null 2>&1 &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$TB_HA_APN1" \
		-keyout "$d/ha.key" -out "$d/ha.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:%s,DNS:%s,DNS:%s\n' "$TB_HA_APN1" "$TB_APN1" "$TB_APN2" \
		>"$d/ext.cnf" &&
	openssl x509 -req -in "$d/ha.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 30 -extfile "$d/ext.cnf" -out "$d/ha.pem" >/dev/null 2>&1
}

# aaa_nai IMSI [prefix]: the permanent NAI (TS 23.003 cl. 19.3.2) in the testbed's PLMN.
aaa_nai() { echo "${2:-0}$1@nai.epc.mnc${TB_MNC}.mcc${TB_MCC}.3gppnetwork.org"; }

# aaa_ue_conf NAME IMSI K OPC [APN]: a dsmip6-ue configuration under DS6_DIR/NAME (the
# testbed's default one, with this identity, USIM and APN). Each instance runs in the UE
# namespace; only one at a time (they share the TUN name and the accesses).
aaa_ue_conf() {
	local name=$1 imsi=$2 k=$3 opc=$4 apn=${5:-$TB_APN1} d="$DS6_DIR/$1"
	ds6_ue_conf "$name" "  - apn: $apn
    ipv4_hoa: true
    lifetime: 600" || return 1
	printf 'k: %s\nopc: %s\n' "$k" "$opc" >"$d/usim.yaml"
	sed -i "s/^  imsi: .*/  imsi: \"$imsi\"/" "$d/conf.yaml"
}

# aaa_ue_start NAME: dsmip6-ue with DS6_DIR/NAME/conf.yaml in the UE namespace.
aaa_ue_start() {
	local name=$1 d="$DS6_DIR/$1"
	ip netns exec "$(ds_ns ue)" "$(ds6_bin dsmip6-ue)" -c "$d/conf.yaml" -f -d >"$d/log" 2>&1 &
	echo $! >"$d/pid"
	ds_on_exit "ds6_stop $name"
	ds_wait_for 10 test -S "$d/ctl.sock" || { tail -20 "$d/log" >&2; return 1; }
}

# aaa_ctl NAME dsmip6ctl-args...: dsmip6ctl against the control socket of DS6_DIR/NAME.
aaa_ctl() {
	local name=$1; shift
	"$(ds6_bin dsmip6ctl)" -s "$DS6_DIR/$name/ctl.sock" "$@"
}
# aaa_json NAME PATH dsmip6ctl-args...: one value of a dsmip6ctl --json answer ("result." is
# implied; PATH is dotted, array indices as numbers, e.g. pdn.0.state).
aaa_json() {
	local name=$1 path=$2; shift 2
	aaa_ctl "$name" --json "$@" | /usr/bin/python3 -c '
import json, sys
v = json.load(sys.stdin)
if not v.get("ok"):
    sys.exit(1)
v = v["result"]
for k in sys.argv[1].split(".") if sys.argv[1] else []:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v) if isinstance(v, (dict, list)) else v)' "$path"
}

# ---- refused attaches ----
# The HA is the daemon of role "pgw" (DS6_DIR/pgw). Initiator SPI of each refused UE's IKE SA,
# by UE name, as tshark writes bytes (aa:bb:...).
declare -A AAA_ISPI=()

aaa_ha_has_nai() { aaa_ctl pgw --json bindings all | grep -q "\"nai\":\"$1\""; }

# aaa_refused NAME IMSI K COUNTER [APN]: start a dsmip6-ue (DS6_DIR/NAME) whose attach the HA
# must refuse, check what the UE reports (dsmip6ctl status, counters, log) and what the HA keeps
# (no IKE SA, no half-open SA, no UE record or allocation), that the HA counter COUNTER (dotted
# path in "dsmip6ctl counters", e.g. eap.failures) went up; then stop the UE.
aaa_refused() {
	local name=$1 imsi=$2 k=$3 ctr=$4 apn=${5:-$TB_APN1} nai before after ues
	nai=$(aaa_nai "$imsi")
	before=$(aaa_json pgw "$ctr" counters)
	ues=$(aaa_json pgw ues status)
	aaa_ue_conf "$name" "$imsi" "$k" "$TB_OPC" "$apn" || ds_die "$name: configuration"
	aaa_ue_start "$name" || ds_die "$name: dsmip6-ue did not start"
	ds_check "$name: the UE reports its PDN connection failed (dsmip6ctl status)" \
		ds_wait_for 40 eval "[ \"\$(aaa_json $name pdn.0.state status)\" = failed ]"
	ds_check "$name: the UE's IKE SA is gone (dsmip6ctl status)" \
		eval "[ \"\$(aaa_json $name pdn.0.ike_sa.state status)\" = none ]"
	ds_check "$name: the UE logs the EAP failure and the failed PDN connection" \
		eval "grep -q 'EAP failed' '$DS6_DIR/$name/log' && grep -q 'PDN $apn: failed' '$DS6_DIR/$name/log'"
	ds_check "$name: the UE sent no BU (dsmip6ctl counters)" \
		eval "[ \"\$(aaa_json $name ue.bu_sent counters)\" = 0 ]"
	ds_check "$name: HA holds no IKE SA (dsmip6ctl status ike_sas)" \
		ds_wait_for 10 eval "[ \"\$(aaa_json pgw ike_sas status)\" = 0 ]"
	ds_check "$name: HA holds no half-open IKE SA" \
		eval "[ \"\$(aaa_json pgw ike.half_open_current counters)\" = 0 ]"
	ds_check_not "$name: HA holds no allocation for $nai (dsmip6ctl bindings all)" aaa_ha_has_nai "$nai"
	ds_check "$name: HA holds no new UE record (dsmip6ctl status ues: $ues)" \
		eval "[ \"\$(aaa_json pgw ues status)\" = '$ues' ]"
	after=$(aaa_json pgw "$ctr" counters)
	[ "${after:-0}" -gt "${before:-0}" ] && ds_pass "$name: HA counter $ctr $before -> $after" ||
		ds_fail "$name: HA counter $ctr ('$before' -> '$after')"
	ds6_stop "$name"
	ds_wireshark_profile "$DS6_DIR/$name/keys" "$E2E_OUT/wireshark-$name"
	AAA_ISPI[$name]=$(sed -n '1s/^\([0-9a-fA-F]\{16\}\),.*/\1/p' \
		"$E2E_OUT/wireshark-$name/ikev2_decryption_table" | tr 'A-F' 'a-f' | sed 's/../&:/g; s/:$//')
}

# aaa_expect_refusal NAME PCAP [NOTIFY]: on the capture, decrypted with the UE's key log: the
# last IKE_AUTH response carries EAP-Failure and the error notify (default 24,
# AUTHENTICATION_FAILED: RFC 7296 cl. 2.16 / R-18); no EAP-Success, no CFG_REPLY, no AUTH from
# the UE. Leaves DS_WIRESHARK_CONF on this UE's keys for further checks (filter in AAA_SA).
aaa_expect_refusal() {
	local name=$1 pcap=$2 nt=${3:-24} ispi=${AAA_ISPI[$1]:-}
	[ -n "$ispi" ] || { ds_fail "$name: no IKE SA in the UE's key log"; return 0; }
	DS_WIRESHARK_CONF="$E2E_OUT/wireshark-$name"
	AAA_SA="isakmp.ispi == $ispi and isakmp.exchangetype == 35"
	e2e_expect "$name: IKE_AUTH response with EAP-Failure and notify $nt" "$pcap" \
		"$AAA_SA and isakmp.flag_r == 1 and eap.code == 4 and isakmp.notify.msgtype == $nt"
	e2e_expect_none "$name: no EAP-Success" "$pcap" "$AAA_SA and eap.code == 3"
	e2e_expect_none "$name: no CFG_REPLY (no address given)" "$pcap" "$AAA_SA and isakmp.cfg.type == 2"
	e2e_expect_none "$name: no AUTH from the UE" "$pcap" "$AAA_SA and isakmp.flag_r == 0 and isakmp.auth.method"
}
