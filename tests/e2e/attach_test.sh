#!/usr/bin/env bash
# Attach on each access kind (TS 24.303 cl. 5.1.2, RFC 5555): IKEv2 with EAP-AKA, then the
# ESP-protected BU / BA, and data between cn and both home addresses.
#   ACCESS=wlan  IPv6 care-of address (BU with HAO inside ESP)
#   ACCESS=nat   IPv4-only access behind a NAT (BU in UDP 4191 with the IPv4 CoA option, BA with
#                NAT detection F=1, RFC 5555 cl. 4.1)
#   ACCESS=home  3GPP access: the UE's link carries its PDN connection's prefix from the attach
#                on (cl. 5.1.2.3 home link detection), no BU is sent, data flows natively
. "$(dirname "$0")/../lib/e2e.sh"
ACCESS=${1:-${ACCESS:-wlan}}
echo "# attach over $ACCESS ($DS_TB_PREFIX)"
if [ "$ACCESS" = home ]; then
	# TS 24.303 cl. 5.1.2.3 / R-19, R-20: on the 3GPP access the UE's link carries its PDN
	# connection's prefix, allocated by the same PDN GW, from the attach on; the S2c bootstrap
	# then returns that prefix as the HNP, the UE finds itself at home and sends no BU at all
	# (R-01). The emulated 3GPP attach happens before the daemon starts.
	e2e_accesses
	ds6_start_ha pgw 1 || ds_die "dsmip6-ha did not start"
	hnp=$(ds6_ha_pdn_prefix pgw) || ds_die "PDN GW prefix allocation"
	link6=$(ds6_ue_addr_in "$hnp")
	echo "# 3GPP PDN connection prefix $hnp, UE address $link6"
	"$TB/access.sh" home up --hoa6 "$link6"
	ds6_start_ue ue || ds_die "dsmip6-ue did not start"
	ds_check "UE detects its home link" ds_wait_for 30 ds6_at_home ue
	h6=$(ds6_hoa6 ue)
	[ "$h6" = "$link6" ] && ds_pass "HoA = HNP | IID is the UE's 3GPP address ($h6)" ||
		ds_fail "HoA ('$h6') is the UE's 3GPP address $link6"
	sleep 2   # a BU, if one were (wrongly) sent, is answered within this time
	e2e_data "home link" "$h6" "" "$TB_CN6" "$TB_CN4"
	# IPv4 at home: the 3GPP access's own address; no IPv4 HoA is requested over S2c at home
	ds_check "home link: cn -> UE IPv4 (3GPP access) ping" x cn ping -4 -c3 -i0.2 -W2 "$TB_HOME4_UE"
	e2e_tcp "home link: TCP cn -> UE IPv4 (3GPP access)" "$TB_HOME4_UE" "$TB_CN4"
	e2e_stop_capture
	e2e_expect "IKE_SA_INIT and IKE_AUTH over the home link" "$CAP" "isakmp.exchangetype == 35 and ipv6.src == $link6"
	e2e_expect_none "no BU from the home link (R-01)" "$CAP" "$DS_MH_FILTER and mip6.mhtype == 5"
	[ "$(ds6_ctl pgw status '{}' --get bindings)" = 0 ] && ds_pass "HA holds no binding" ||
		ds_fail "HA holds no binding"
	ds_summary; exit
fi
e2e_accesses "$ACCESS"
ds6_start_ha pgw 1 || ds_die "dsmip6-ha did not start"
ds6_start_ue ue || ds_die "dsmip6-ue did not start"

ds_check "UE registered over $ACCESS" ds6_wait_registered ue 30
h6=$(ds6_hoa6 ue); h4=$(ds6_hoa4 ue); coa=$(ds6_coa ue)
echo "# HoA $h6, IPv4 HoA $h4, CoA $coa"
case "$h6" in 2001:db8:100:*) ds_pass "IPv6 HoA from the HA's HNP pool ($h6)" ;; *) ds_fail "IPv6 HoA from the HNP pool ('$h6')" ;; esac
case "$h4" in 198.51.100.*) ds_pass "IPv4 HoA from the pool ($h4)" ;; *) ds_fail "IPv4 HoA from the pool ('$h4')" ;; esac
e2e_data "$ACCESS" "$h6" "$h4"
if [ "$ACCESS" = nat ]; then
	# RFC 3948 cl. 4 / RFC 5555 cl. 4.3: the UE keeps the NAT mapping of its IKE SA on UDP 4500
	# open with a one-octet 0xFF datagram every 20 s; the HA drops it before IKE (counted)
	counter_ge() { [ "$(ds6_ctl "$1" counters '{}' --get "$2")" -ge "$3" ]; }
	ds_check "UE sent a NAT-keepalive on UDP 4500" ds_wait_for 30 counter_ge ue sockets.natt_keepalives_tx 1
	ds_check "HA received and dropped it before IKE" ds_wait_for 5 counter_ge pgw sockets.natt_keepalives_rx 1
fi
e2e_stop_capture
e2e_expect_attach "$ACCESS" "$CAP"
grep -q "query\[AAAA\] $TB_HA_APN1" "$DS_TB_RUN/dnsmasq.log" && ds_pass "DNS AAAA query for the HA-APN" || ds_fail "DNS AAAA query for the HA-APN"
grep -q "query\[A\] $TB_HA_APN1" "$DS_TB_RUN/dnsmasq.log" && ds_pass "DNS A query for the HA-APN" || ds_fail "DNS A query for the HA-APN"
e2e_expect "IPv4 Home Address Request in the BU (RFC 5555 cl. 3.1.1)" "$CAP" "mip6.mhtype == 5 and mip6.ipv4ha.ha"
e2e_expect "IPv4 Address Acknowledgement accepted (status 0)" "$CAP" "mip6.mhtype == 6 and mip6.ipv4aa.sts == 0"
if [ "$ACCESS" = nat ]; then
	e2e_expect "BU in UDP 4191 from the NAT's public address" "$CAP" "ip.src == $TB_NAT_PUBLIC4 and udp.dstport == 4191 and mip6.mhtype == 5"
	e2e_expect "IPv4 CoA option carries the private address" "$CAP" "mip6.ipv4coa.addr == $TB_NAT4_UE"
	e2e_expect "BA: NAT detected (F=1)" "$CAP" "mip6.mhtype == 6 and mip6.natd.f_flag == 1"
	e2e_expect "IKE moved to UDP 4500 (NAT-T)" "$CAP" "udp.port == 4500 and isakmp"
	e2e_expect "NAT-keepalive (0xFF) to UDP 4500 from the NAT's public address" "$CAP" "ip.src == $TB_NAT_PUBLIC4 and udp.dstport == 4500 and udp.length == 9"
	e2e_expect_none "no other 1-octet datagram on UDP 4500" "$CAP" "udp.port == 4500 and udp.length == 9 and not ip.src == $TB_NAT_PUBLIC4"
else
	e2e_expect "BU from the WLAN CoA with the HoA in the HAO" "$CAP" "ipv6.src == $TB_WLAN6_UE and mip6.mhtype == 5 and ipv6.opt.mipv6.home_address == $h6"
	e2e_expect "BA to the CoA with the HoA in the Type 2 RH" "$CAP" "ipv6.dst == $TB_WLAN6_UE and mip6.mhtype == 6 and ipv6.routing.mipv6.home_address == $h6"
	e2e_expect_esp_shape "wlan" "$CAP" "$TB_WLAN6_UE" "$h6"
	e2e_expect "data tunnelled to the CoA (IPv6 in IPv6)" "$CAP" "ipv6.dst == $TB_WLAN6_UE and ipv6.nxt == 41"
fi
ds_summary
