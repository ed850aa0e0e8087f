#!/usr/bin/env bash
# Hostile input against the HA (RFC 4877 cl. 4: BUs must be ESP protected and match the SA's
# home address; RFC 4303 cl. 3.4.3 anti-replay; RFC 6275 cl. 9.2 malformed Mobility Headers):
# each case is rejected or dropped, shows in the HA's counters, and the HA keeps serving the
# registered UE (a handover afterwards still works, data still flows).
. "$(dirname "$0")/../lib/e2e.sh"
COUNTERS="$_e2e_root/tests/lib/counters.py"
e2e_accesses wlan
ds6_start_ha pgw 1 || ds_die "dsmip6-ha did not start"
ds6_start_ue ue || ds_die "dsmip6-ue did not start"
ds6_wait_registered ue 30 || ds_die "attach"
h6=$(ds6_hoa6 ue); h4=$(ds6_hoa4 ue)
# A home address of the HA's pool that is not this UE's.
other=2001:db8:100:ffff::1
[ "${h6%%::*}" != "2001:db8:100:ffff" ] || other=2001:db8:100:fffe::1

snap() { ds6_ctl pgw counters '{}' >"$E2E_OUT/counters.$1.json"; }
# case_run NAME [--only COUNTER-PREFIX ...] hostile.py arguments...: the socket receive counters
# count every packet, so they do not prove the HA noticed the case.
case_run() {
	local name=$1 only=(); shift
	while [ "$1" = --only ]; do only+=(--only "$2"); shift 2; done
	snap before
	if x ue "$HOSTILE" "$@" >"$E2E_OUT/$name.out" 2>&1; then
		sleep 0.5
		snap after
		echo "# counters changed by $name:"
		if "$COUNTERS" "$E2E_OUT/counters.before.json" "$E2E_OUT/counters.after.json" 1 \
			--ignore sockets. "${only[@]}"; then
			ds_pass "$name: counted by the HA"
		else
			ds_fail "$name: counted by the HA"
		fi
	else
		ds_fail "$name: could not be sent ($(tail -1 "$E2E_OUT/$name.out"))"
	fi
	ds_check "$name: HA still running" ds_pid_alive "$(cat "$DS6_DIR/pgw/pid")"
	ds_check "$name: UE still registered" ds6_registered ue
}

case_run unprotected-bu unprotected-bu "$TB_HA1_ADDR6" "$TB_WLAN6_UE" "$h6"
case_run foreign-hoa-unprotected foreign-hoa "$TB_HA1_ADDR6" "$TB_WLAN6_UE" "$other"
case_run malformed-mh bad-mh "$TB_HA1_ADDR6" "$TB_WLAN6_UE" "$h6"
case_run ike-garbage ike-garbage "$TB_HA1_ADDR6" "$TB_WLAN6_UE"
# Replay and a correctly protected BU for another home address need the UE's own packets and
# key log: take a snapshot of the capture so far.
cp "$CAP" "$E2E_OUT/sofar.pcapng" 2>/dev/null
case_run replayed-bu replay "$TB_HA1_ADDR6" "$E2E_OUT/sofar.pcapng" "$TB_WLAN6_UE"
ds_wireshark_profile "$DS6_DIR/ue/keys" "$E2E_OUT/uekeys"
if [ -s "$E2E_OUT/uekeys/esp_sa" ]; then
	# RFC 4877 cl. 4.3 / RFC 4301 cl. 5.2: decrypted with the UE's SA, the BU's source (the
	# HoA from the HAO) is outside the SA's selectors: dropped and counted as such, or
	# refused with BA status 129 (administratively prohibited) / 133 (not home agent for
	# this mobile node); it must never be accepted (checked on the capture below).
	case_run esp-bu-for-foreign-hoa --only ha.drop.selector --only ha.ba_status.129 \
		--only ha.ba_status.133 esp-foreign-hoa "$TB_HA1_ADDR6" "$E2E_OUT/sofar.pcapng" \
		"$E2E_OUT/uekeys/esp_sa" "$TB_WLAN6_UE" "$other"
	# RFC 6275 cl. 9.2 inside the SA: an authenticated UE's message of an unknown MH type is
	# answered with a Binding Error status 2, protected like a BA (checked below).
	case_run esp-unknown-mh-type --only ha.be_sent esp-unknown-mh "$TB_HA1_ADDR6" \
		"$E2E_OUT/sofar.pcapng" "$E2E_OUT/uekeys/esp_sa" "$TB_WLAN6_UE" "$h6"
else
	ds_fail "esp-bu-for-foreign-hoa: the UE wrote no esp_sa key log"
fi
# The IPv4 path: garbage on UDP 4191 from behind the NAT.
"$TB/access.sh" nat up
case_run udp4191-garbage udp4191-garbage "$TB_HA1_ADDR4" "$TB_NAT4_UE"

# The HA keeps serving: data, then a handover.
e2e_data "after hostile input" "$h6" "$h4"
"$TB/access.sh" wlan down
ds_check "handover after hostile input" ds6_wait_coa ue "$TB_NAT4_UE" 30
e2e_stop_capture
e2e_expect_none "no BA accepting a hostile BU (seq 100/200)" "$CAP" \
	"$DS_MH_FILTER and mip6.mhtype == 6 and mip6.ba.status < 128 and (mip6.ba.seqnr == 100 or mip6.ba.seqnr == 200)"
# RFC 4301 cl. 5.2 with the S2c SPD (one ESP SA for protocol 135 of every MH type between the
# HoA and the HA, RFC 4877 cl. 5 case 2): an unprotected MH from the HoA, of any type, is
# discarded before its Mobility Header is read, so nothing unprotected gets a Binding Error
# (RFC 6275 cl. 9.2 answers protected messages of an unknown type only); answering would make
# the HA a reflector towards spoofed sources. Malformed messages get nothing either.
e2e_expect "Binding Error status 2 in the UE's SA for the protected unknown MH type" "$CAP" \
	"$DS_MH_FILTER and mip6.mhtype == 7 and mip6.be.status == 2 and esp and ipv6.dst == $TB_WLAN6_UE"
n=$(e2e_count "$CAP" "$DS_MH_FILTER and mip6.mhtype == 7")
[ "$n" -eq 1 ] && ds_pass "no Binding Error for unprotected MH (unknown type, malformed, BU)" ||
	ds_fail "no Binding Error for unprotected MH (unknown type, malformed, BU): $n Binding Errors in all"
ds_summary
