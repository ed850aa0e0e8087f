#!/usr/bin/env bash
# Detach, both ways (TS 24.303 cl. 5.3):
#   WHO=ue       UE-initiated: de-registration BU (lifetime 0) + BA, then the IKE SA deleted
#                (INFORMATIONAL with a Delete payload)
#   WHO=network  HA-initiated: Binding Revocation Indication / Acknowledgement (RFC 5846,
#                MH type 16, B.R. Type 1 / 2) and the IKE SA deleted
# Afterwards the HA holds no binding and the home addresses are unreachable.
. "$(dirname "$0")/../lib/e2e.sh"
WHO=${1:-${WHO:-ue}}
e2e_accesses wlan
ds6_start_ha pgw 1 || ds_die "dsmip6-ha did not start"
ds6_start_ue ue || ds_die "dsmip6-ue did not start"
ds6_wait_registered ue 30 || ds_die "attach"
h6=$(ds6_hoa6 ue)
ds_check "data before detach" x cn ping -6 -c2 -W2 "$h6"
if [ "$WHO" = ue ]; then
	ds6_ctl ue detach '{}' >/dev/null || ds_fail "UE detach command"
else
	ds6_ha_detach pgw || ds_fail "HA detach command"
fi
ds_check "UE no longer registered" ds_wait_for 20 eval '! ds6_registered ue'
n=$(ds6_ctl pgw status '{}' --get bindings)
[ "$n" = 0 ] && ds_pass "HA binding cache empty" || ds_fail "HA binding cache empty (bindings '$n')"
ds_check_not "IPv6 HoA unreachable after detach" x cn ping -6 -c2 -W1 "$h6"
sleep 0.5
e2e_stop_capture
if [ "$WHO" = ue ]; then
	e2e_expect "de-registration BU (lifetime 0)" "$CAP" "$DS_MH_FILTER and mip6.mhtype == 5 and mip6.bu.lifetime == 0"
	e2e_expect "BA to the de-registration" "$CAP" "$DS_MH_FILTER and mip6.mhtype == 6"  2
else
	e2e_expect "Binding Revocation Indication from the HA" "$CAP" "$DS_MH_FILTER and mip6.mhtype == 16 and mip6.bri_br.type == 1 and ipv6.src == $TB_HA1_ADDR6"
	e2e_expect "Binding Revocation Acknowledgement from the UE" "$CAP" "$DS_MH_FILTER and mip6.mhtype == 16 and mip6.bri_br.type == 2 and ipv6.dst == $TB_HA1_ADDR6"
fi
e2e_expect "IKE SA deleted (INFORMATIONAL with Delete)" "$CAP" "isakmp.exchangetype == 37 and isakmp.typepayload == 42"
ds_summary
