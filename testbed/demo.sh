#!/usr/bin/env bash
# `make demo`: the whole S2c mobility story on the namespace testbed, with the real daemons.
#   attach over WLAN (IPv6 + IPv4 home address) -> traffic -> handover to the IPv4-only access
#   behind a NAT -> to the 3GPP access (home link) -> back to WLAN -> network-initiated detach
# Prints a timeline with the measured handover interruptions and leaves in demo-out/:
#   dsmip6.pcapng      the capture at the PDN GW (core, home link and PDN sides)
#   wireshark/         a Wireshark configuration folder with the IKEv2/ESP keys:
#                      WIRESHARK_CONFIG_DIR=demo-out/wireshark wireshark demo-out/dsmip6.pcapng
#   msc.png, msc.msc   message sequence chart drawn from the capture (mscgen)
#   msc.txt, timeline.txt, logs/
# Needs root (network namespaces). Build first (the Makefile's demo target does).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
. "$root/tests/lib/common.sh"
export DS_TB_PREFIX=${DS_TB_PREFIX:-dsdemo}
export DS_TB_RUN=${DS_TB_RUN:-/run/dsmip6-testbed/$DS_TB_PREFIX}
. "$root/tests/lib/netns.sh"
. "$here/addr.sh"
. "$root/tests/lib/capture.sh"
export DS6_BUILD=${DEMO_BUILD:-$root/build}
. "$root/tests/lib/dsmip6.sh"
out=${DEMO_OUT:-$root/demo-out}
probe="$root/tests/lib/probe.py"

[ "$(id -u)" = 0 ] || { echo "demo: must run as root (network namespaces)" >&2; exit 1; }
for c in ip nft dnsmasq dumpcap tshark mscgen /usr/bin/python3 openssl; do
	command -v "$c" >/dev/null 2>&1 || { echo "demo: missing $c (run scripts/deps.sh)" >&2; exit 1; }
done
if ! ds6_present; then
	cat >&2 <<-MSG
		demo: the dsmip6 daemons are not built: expected dsmip6-ue, dsmip6-ha and dsmip6ctl in
		      $DS6_BUILD/src/cmd. The demo runs the real daemons only; it cannot run without them.
	MSG
	exit 1
fi

ds_install_traps
rm -rf "$out"; mkdir -p "$out/logs"
"$here/topology.sh" down >/dev/null 2>&1
ds_on_exit "'$here/topology.sh' down >/dev/null 2>&1"
ds_on_exit "for d in '$DS6_DIR'/*/; do [ -f \"\$d/log\" ] && cp -f \"\$d/log\" '$out/logs/'\$(basename \"\$d\").log; done; true"

T0=$(ds_now_ms)
timeline="$out/timeline.txt"
say() {
	local ms=$(($(ds_now_ms) - T0))
	printf '%4d.%03d s  %s\n' $((ms / 1000)) $((ms % 1000)) "$*" | tee -a "$timeline"
}
fail() { say "FAILED: $*"; exit 1; }

say "testbed up ($DS_TB_PREFIX): UE with 3GPP, WLAN and IPv4-NAT accesses; PDN GW; cn; DNS"
"$here/topology.sh" up >/dev/null 2>&1 || fail "testbed up"
"$here/access.sh" home down; "$here/access.sh" nat down
ds_capture_start pgw "$out/dsmip6.pcapng" core0 home0 pdn0 || fail "capture"

say "PDN GW: dsmip6-ha on $TB_HA1_ADDR6 / $TB_HA1_ADDR4"
ds6_start_ha pgw 1 || fail "dsmip6-ha did not start (logs in $out/logs)"
say "UE: dsmip6-ue, WLAN access only; HA found by DNS ($TB_HA_APN1)"
t=$(ds_now_ms)
ds6_start_ue ue || fail "dsmip6-ue did not start"
ds6_wait_registered ue 30 || fail "attach over WLAN"
hoa6=$(ds6_hoa6 ue); hoa4=$(ds6_hoa4 ue)
say "attached over WLAN in $(($(ds_now_ms) - t)) ms: HoA $hoa6, IPv4 HoA $hoa4, CoA $(ds6_coa ue)"

x() { local r=$1; shift; ip netns exec "$(ds_ns "$r")" "$@"; }
check_data() { # access label
	local ok6=no ok4=no
	x cn ping -c2 -i0.2 -W2 "$hoa6" >/dev/null 2>&1 && ok6=yes
	[ -n "$hoa4" ] && x cn ping -c2 -i0.2 -W2 "$hoa4" >/dev/null 2>&1 && ok4=yes
	say "  data over $1: cn -> IPv6 HoA: $ok6, cn -> IPv4 HoA: $ok4"
	[ "$ok6" = yes ] || fail "no IPv6 data path over $1"
}
check_data WLAN

say "long TCP stream cn -> UE HoA [$hoa6]:9000 (a record every 5 ms)"
x ue "$probe" stream-recv "$hoa6" 9000 "$out/stream.jsonl" & rpid=$!
ds_wait_for 5 ds_has_output x ue ss -Hltn "sport = :9000"
x cn "$probe" stream-send "$hoa6" 9000 600 "$out/stream.stop" & spid=$!
ds_on_exit "touch '$out/stream.stop'"
sleep 1

declare -a HO_NAMES HO_T
handover() { # label, commands to run, expected CoA
	local label=$1 cmds=$2 coa=$3 t
	t=$(ds_now_ms)
	HO_NAMES+=("$label"); HO_T+=("$t")
	eval "$cmds"
	if ds6_wait_coa ue "$coa" 30; then
		say "handover $label: registered with CoA $coa after $(($(ds_now_ms) - t)) ms"
	else
		fail "handover $label (CoA now '$(ds6_coa ue)')"
	fi
	sleep 1
}
handover "WLAN -> IPv4 NAT" '"$here/access.sh" nat up; "$here/access.sh" wlan down' "$TB_NAT4_UE"
check_data "IPv4 NAT access"
# At home the UE uses its home addresses natively (TS 24.303 cl. 5.1.2.3): no CoA, deregistered.
t=$(ds_now_ms); HO_NAMES+=("IPv4 NAT -> 3GPP home"); HO_T+=("$t")
"$here/access.sh" home up --hoa6 "$hoa6" ${hoa4:+--hoa4 "$hoa4"}; "$here/access.sh" nat down
ds_wait_for 30 ds6_at_home ue || fail "return home (state '$(ds6_state ue)')"
say "handover IPv4 NAT -> 3GPP home: at home (binding deregistered) after $(($(ds_now_ms) - t)) ms"
sleep 1
check_data "3GPP home link"
handover "3GPP home -> WLAN" '"$here/access.sh" wlan up; "$here/access.sh" home down' "$TB_WLAN6_UE"
check_data WLAN

say "stopping the TCP stream"
touch "$out/stream.stop"; wait "$spid" 2>/dev/null
wait "$rpid" 2>/dev/null

say "network-initiated detach from the HA (RFC 5846 revocation, IKE SA deleted)"
t=$(ds_now_ms)
ds6_ha_detach pgw || fail "detach command"
ds_wait_for 20 eval '! ds6_registered ue' || fail "UE still registered after detach"
say "UE detached after $(($(ds_now_ms) - t)) ms (state $(ds6_state ue))"
sleep 0.5
ds6_stop ue; ds6_stop pgw
ds_capture_stop "$out/dsmip6.pcapng"

# Interruption per handover: the longest stream gap that began after the handover started and
# before the next one.
say "handover interruptions seen by the TCP stream (gaps > 50 ms):"
/usr/bin/python3 - "$out/stream.jsonl" "${#HO_T[@]}" "${HO_T[@]}" "${HO_NAMES[@]}" <<'PY' | tee -a "$timeline"
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
ts = [int(x) / 1000.0 for x in sys.argv[3:3 + n]]
names = sys.argv[3 + n:3 + 2 * n]
ev = [json.loads(l) for l in open(path)] if path else []
gaps = [e for e in ev if e["event"] == "gap"]
end = [e for e in ev if e["event"] == "end"]
for i, (t, name) in enumerate(zip(ts, names)):
    nxt = ts[i + 1] if i + 1 < n else float("inf")
    g = [x["ms"] for x in gaps if t - 0.05 <= x["at"] < nxt]
    print("             %-24s interruption %s" % (name, ("%.0f ms" % max(g)) if g else "< 50 ms"))
if end:
    print("             stream ended: %s after %d records (no reset: %s)"
          % (end[0]["reason"], end[0]["records"], end[0]["reason"] != "reset"))
PY

# Both ends log the same SAs; the UE's log is used, the HA's when the UE wrote none.
keys="$DS6_DIR/ue/keys"
[ -s "$keys/ikev2_decryption_table" ] || keys="$DS6_DIR/pgw/keys"
ds_wireshark_profile "$keys" "$out/wireshark"
/usr/bin/python3 "$root/tests/lib/msc.py" "$out/dsmip6.pcapng" "$out/msc" --conf "$out/wireshark" \
	--name "$TB_HA1_ADDR6=HA" --name "$TB_HA1_ADDR4=HA" --name "$TB_WLAN6_UE=UE (WLAN)" \
	--name "$TB_NAT_PUBLIC4=UE (via NAT)" --name "$TB_HOME6_UE=UE (3GPP)" \
	--name "$hoa6=UE (HoA)" --name "$TB_NAT4_UE=UE (NAT inside)" >/dev/null || say "no signalling decoded in the capture"
say "done: capture, keys, chart and timeline in $out"
