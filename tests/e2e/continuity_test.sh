#!/usr/bin/env bash
# Session continuity: one long TCP stream from cn to the UE's IPv6 home address survives
# WLAN -> IPv4 NAT -> WLAN -> 3GPP home without a reset; each handover's interruption (the
# longest gap in the stream after it) is reported and held to a bound.
. "$(dirname "$0")/../lib/e2e.sh"
MAX_GAP_MS=${MAX_GAP_MS:-3000}
e2e_accesses wlan
ds6_start_ha pgw 1 || ds_die "dsmip6-ha did not start"
ds6_start_ue ue || ds_die "dsmip6-ue did not start"
ds6_wait_registered ue 30 || ds_die "attach over WLAN"
h6=$(ds6_hoa6 ue); h4=$(ds6_hoa4 ue)
x ue "$PROBE" stream-recv "$h6" 9000 "$E2E_OUT/stream.jsonl" & rpid=$!
ds_wait_for 5 ds_has_output x ue ss -Hltn "sport = :9000"
x cn "$PROBE" stream-send "$h6" 9000 600 "$E2E_OUT/stop" & spid=$!
ds_on_exit "touch '$E2E_OUT/stop'"
sleep 1
T=(); N=()
ho() { T+=("$(ds_now_ms)"); N+=("$1"); eval "$2"; ds_wait_for 30 eval "$3" || ds_fail "$1 completed"; sleep 2; }
ho "WLAN -> IPv4 NAT" "'$TB/access.sh' nat up; '$TB/access.sh' wlan down" "ds6_wait_coa ue $TB_NAT4_UE 1"
ho "IPv4 NAT -> WLAN" "'$TB/access.sh' wlan up; '$TB/access.sh' nat down" "ds6_wait_coa ue $TB_WLAN6_UE 1"
ho "WLAN -> 3GPP home" "'$TB/access.sh' home up --hoa6 $h6 ${h4:+--hoa4 $h4}; '$TB/access.sh' wlan down" \
	'ds6_at_home ue'
touch "$E2E_OUT/stop"; wait "$spid"
wait "$rpid"; rc=$?
/usr/bin/python3 - "$E2E_OUT/stream.jsonl" "$MAX_GAP_MS" "${#T[@]}" "${T[@]}" "${N[@]}" <<'PY'
import json, sys
path, bound, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
ts = [int(x) / 1000.0 for x in sys.argv[4:4 + n]]
names = sys.argv[4 + n:4 + 2 * n]
ev = [json.loads(l) for l in open(path)]
gaps = [e for e in ev if e["event"] == "gap"]
end = [e for e in ev if e["event"] == "end"]
bad = 0
for i, (t, name) in enumerate(zip(ts, names)):
    nxt = ts[i + 1] if i + 1 < n else float("inf")
    g = max([x["ms"] for x in gaps if t - 0.05 <= x["at"] < nxt] or [0])
    ok = g <= bound
    bad += not ok
    print("%s - %s: interruption %.0f ms (bound %.0f ms)" % ("ok  " if ok else "FAIL", name, g, bound))
if not end or end[0]["reason"] != "eof":
    print("FAIL - stream ended cleanly (%s)" % (end[0] if end else "no end record"))
    bad += 1
else:
    print("ok   - stream survived every handover without a reset (%d records)" % end[0]["records"])
sys.exit(1 if bad else 0)
PY
[ $? -eq 0 ] && ds_pass "session continuity" || ds_fail "session continuity"
[ "$rc" -eq 0 ] && ds_pass "receiver saw every record in order" || ds_fail "receiver saw every record in order"
ds_summary
