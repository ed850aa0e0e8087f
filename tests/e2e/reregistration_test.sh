#!/usr/bin/env bash
# Re-registration before the binding expires (RFC 6275 cl. 11.7.1; TS 24.303 cl. 5.1.2.2):
# with a 12 s lifetime the UE sends refreshing BUs from the same CoA, each with a higher
# sequence number and accepted, and the binding never lapses.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_accesses wlan
ds6_start_ha pgw 1 || ds_die "dsmip6-ha did not start"
ds6_start_ue ue "  - apn: $TB_APN1
    ipv4_hoa: true
    lifetime: 12" || ds_die "dsmip6-ue did not start"
ds6_wait_registered ue 30 || ds_die "attach"
h6=$(ds6_hoa6 ue)
# Ping continuously across two lifetimes: not one reply may be missing for long.
x cn ping -6 -i 0.2 -w 30 -c 150 "$h6" >"$E2E_OUT/ping.txt" 2>&1
loss=$(grep -o '[0-9.]*% packet loss' "$E2E_OUT/ping.txt" | cut -d% -f1)
[ "${loss%.*}" -le 2 ] 2>/dev/null && ds_pass "binding kept across two lifetimes (loss $loss%)" || ds_fail "binding kept (loss '$loss')"
ds_check "still registered" ds6_registered ue
e2e_stop_capture
n=$(ds_mh_sequence "$CAP" "mip6.mhtype == 5 and ipv6.src == $TB_WLAN6_UE" | wc -l)
[ "$n" -ge 3 ] && ds_pass "refreshing BUs from the same CoA ($n in 30 s)" || ds_fail "refreshing BUs (found $n)"
e2e_expect "BA lifetime granted (<= requested)" "$CAP" "$DS_MH_FILTER and mip6.mhtype == 6 and mip6.ba.lifetime <= 3 and mip6.ba.lifetime > 0" 3
ds_summary
