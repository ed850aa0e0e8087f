#!/usr/bin/env bash
# Handovers (TS 24.303 cl. 5.2; RFC 5555 cl. 4): WLAN -> IPv4 NAT -> WLAN -> 3GPP home -> WLAN.
# After each one: a new BU with a higher sequence number from the new CoA, an accepted BA, and
# data between cn and both home addresses, with the home addresses unchanged.
. "$(dirname "$0")/../lib/e2e.sh"
echo "# handovers ($DS_TB_PREFIX)"
e2e_accesses wlan
ds6_start_ha pgw 1 || ds_die "dsmip6-ha did not start"
ds6_start_ue ue || ds_die "dsmip6-ue did not start"
ds6_wait_registered ue 30 || ds_die "attach over WLAN"
h6=$(ds6_hoa6 ue); h4=$(ds6_hoa4 ue)

step() { # label "access commands" expected-CoA
	local t; t=$(ds_now_ms)
	eval "$2"
	if ds6_wait_coa ue "$3" 30; then
		ds_pass "$1: registered with CoA $3 in $(($(ds_now_ms) - t)) ms"
	else
		ds_fail "$1: registered with CoA $3 (now '$(ds6_coa ue)')"
	fi
	[ "$(ds6_hoa6 ue)" = "$h6" ] && ds_pass "$1: IPv6 HoA kept" || ds_fail "$1: IPv6 HoA kept"
	[ "$(ds6_hoa4 ue)" = "$h4" ] && ds_pass "$1: IPv4 HoA kept" || ds_fail "$1: IPv4 HoA kept"
	e2e_data "$1" "$h6" "$h4"
}
step "WLAN -> IPv4 NAT" "'$TB/access.sh' nat up; '$TB/access.sh' wlan down" "$TB_NAT4_UE"
step "IPv4 NAT -> WLAN" "'$TB/access.sh' wlan up; '$TB/access.sh' nat down" "$TB_WLAN6_UE"
t=$(ds_now_ms)
"$TB/access.sh" home up --hoa6 "$h6" ${h4:+--hoa4 "$h4"}; "$TB/access.sh" wlan down
if ds_wait_for 30 ds6_at_home ue; then
	ds_pass "WLAN -> 3GPP home: at home in $(($(ds_now_ms) - t)) ms"
else
	ds_fail "WLAN -> 3GPP home (state '$(ds6_state ue)')"
fi
e2e_data "3GPP home" "$h6" "$h4"
step "3GPP home -> WLAN" "'$TB/access.sh' wlan up; '$TB/access.sh' home down" "$TB_WLAN6_UE"
e2e_stop_capture

# Control plane: BU sequence numbers strictly increase (RFC 6275 cl. 11.7.1), every BU answered.
seqs=$(ds_mh_sequence "$CAP" "mip6.mhtype == 5" | cut -d'|' -f5 | tr '\n' ' ')
echo "# BU sequence numbers: $seqs"
/usr/bin/python3 -c 'import sys; s=[int(x) for x in sys.argv[1:]]; sys.exit(0 if len(s)>=4 and all((b-a)%65536 and (b-a)%65536<32768 for a,b in zip(s,s[1:])) else 1)' $seqs &&
	ds_pass "BU sequence numbers increase across handovers" || ds_fail "BU sequence numbers increase ($seqs)"
e2e_expect "a BU from the NAT's public address in UDP 4191" "$CAP" "ip.src == $TB_NAT_PUBLIC4 and mip6.mhtype == 5"
e2e_expect "de-registration BU from the home link (lifetime 0, RFC 6275 cl. 11.5.4)" "$CAP" "$DS_MH_FILTER and mip6.mhtype == 5 and mip6.bu.lifetime == 0"
e2e_expect "BAs accepted" "$CAP" "$DS_MH_FILTER and mip6.mhtype == 6 and mip6.ba.status < 128" 4
e2e_expect_none "no BA rejected" "$CAP" "$DS_MH_FILTER and mip6.mhtype == 6 and mip6.ba.status >= 128"
n=$(e2e_count "$CAP" "isakmp.exchangetype == 34 and isakmp.flag_r == 0")
[ "$n" -eq 1 ] && ds_pass "one IKE_SA_INIT only: the IKE SA moves with the UE (MOBIKE-free update, RFC 5555 cl. 5.1)" ||
	ds_fail "one IKE_SA_INIT only (found $n)"
ds_summary
