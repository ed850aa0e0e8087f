#!/usr/bin/env bash
# Two PDN connections (TS 24.303 cl. 5.1.2.1, one IKE SA and binding per PDN): "internet" on
# HA 1 and "ims" on HA 2, each HA found by its own HA-APN in DNS; two sets of home addresses,
# both usable at once, both moved by one handover.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_accesses wlan
ds6_start_ha pgw 1 || ds_die "dsmip6-ha 1 did not start"
ds6_start_ha pgw2 2 || ds_die "dsmip6-ha 2 did not start"
ds6_start_ue ue "  - apn: $TB_APN1
    ipv4_hoa: true
  - apn: $TB_APN2
    ipv4_hoa: false" || ds_die "dsmip6-ue did not start"
ds_check "PDN internet registered" ds6_wait_registered ue 30 0
ds_check "PDN ims registered" ds6_wait_registered ue 30 1
a6=$(ds6_hoa6 ue 0); a4=$(ds6_hoa4 ue 0); b6=$(ds6_hoa6 ue 1)
case "$a6" in 2001:db8:100:*) ds_pass "internet HoA from HA 1 ($a6)" ;; *) ds_fail "internet HoA from HA 1 ('$a6')" ;; esac
case "$b6" in 2001:db8:200:*) ds_pass "ims HoA from HA 2 ($b6)" ;; *) ds_fail "ims HoA from HA 2 ('$b6')" ;; esac
e2e_data "PDN internet" "$a6" "$a4"
ds_check "PDN ims: cn -> HoA via PDN GW 2" x cn ping -6 -c3 -i0.2 -W2 "$b6"
"$TB/access.sh" nat up; "$TB/access.sh" wlan down
ds_check "both PDNs move to the NAT access" ds_wait_for 30 eval "ds6_wait_coa ue $TB_NAT4_UE 1 0 && ds6_wait_coa ue $TB_NAT4_UE 1 1"
e2e_data "PDN internet after handover" "$a6" "$a4"
ds_check "PDN ims after handover" x cn ping -6 -c3 -i0.2 -W2 "$b6"
e2e_stop_capture
grep -q "query\[AAAA\] $TB_HA_APN2" "$DS_TB_RUN/dnsmasq.log" && ds_pass "DNS lookup of $TB_HA_APN2" || ds_fail "DNS lookup of $TB_HA_APN2"
e2e_expect "IKE_AUTH with HA 1" "$CAP" "isakmp.exchangetype == 35"
e2e_expect "IKE_AUTH with HA 2" "$CAP2" "isakmp.exchangetype == 35"
e2e_expect "BA from HA 2" "$CAP2" "$DS_MH_FILTER and mip6.mhtype == 6 and mip6.ba.status < 128"
ds_summary
