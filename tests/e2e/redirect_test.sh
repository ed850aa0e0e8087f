#!/usr/bin/env bash
# Redirect to a second HA (RFC 5685; TS 24.303 cl. 5.1.2.1.3): HA 1 answers IKE_SA_INIT with a
# REDIRECT notify naming HA 2; the UE attaches to HA 2 (REDIRECTED_FROM) and gets its home
# addresses from HA 2's pools.
. "$(dirname "$0")/../lib/e2e.sh"
e2e_accesses wlan
ds6_start_ha pgw 1 "redirect:
  - nai: \"*\"
    to: $TB_HA2_ADDR6
    to_ipv4: $TB_HA2_ADDR4" || ds_die "dsmip6-ha 1 did not start"
ds6_start_ha pgw2 2 || ds_die "dsmip6-ha 2 did not start"
ds6_start_ue ue || ds_die "dsmip6-ue did not start"
ds_check "UE registered" ds6_wait_registered ue 30
h6=$(ds6_hoa6 ue); h4=$(ds6_hoa4 ue)
case "$h6" in 2001:db8:200:*) ds_pass "IPv6 HoA from HA 2 ($h6)" ;; *) ds_fail "IPv6 HoA from HA 2 ('$h6')" ;; esac
e2e_data "after redirect" "$h6" "$h4" "$TB_CN6_2" "$TB_CN4_2"
e2e_stop_capture
e2e_expect "REDIRECT notify from HA 1 (16407)" "$CAP" "isakmp.notify.msgtype == 16407"
e2e_expect "REDIRECTED_FROM to HA 2 (16408)" "$CAP2" "isakmp.notify.msgtype == 16408"
e2e_expect_none "no BU reaches HA 1" "$CAP" "$DS_MH_FILTER and mip6.mhtype == 5"
e2e_expect "BU/BA with HA 2" "$CAP2" "$DS_MH_FILTER and mip6.mhtype == 6 and mip6.ba.status < 128"
ds_summary
