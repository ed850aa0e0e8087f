#!/usr/bin/env bash
# Refused attaches against dsmip6-ha with its embedded EAP-AKA server (R-18, TS 24.303 cl. 5.1.2.2,
# RFC 7296 cl. 2.16, RFC 4187): one dsmip6-ue after the other over WLAN,
#   badk     the USIM holds another K than the subscriber store: the UE finds AUTN wrong and
#            answers AKA-Authentication-Reject (RFC 4187 cl. 6.3.1 / 9.5);
#   unknown  an IMSI the HA does not know (added, then removed with dsmip6ctl);
#   apn      a subscriber allowed only "ims" asks for "internet" (authorisation after EAP-AKA);
# each time the last IKE_AUTH response carries EAP-Failure and AUTHENTICATION_FAILED (tshark,
# decrypted with the UE's key log), the UE reports the PDN connection failed, and the HA keeps
# neither an IKE SA nor an allocation for it. A good UE attaching right after is served.
. "$(dirname "$0")/../lib/e2e.sh"
. "$_e2e_root/tests/lib/aaa.sh"
echo "# refused authentications ($DS_TB_PREFIX)"
e2e_accesses wlan
aaa_ha_conf pgw 1 "$(printf 'aaa:\n  mode: embedded')" || ds_die "HA configuration"
ds6_start pgw dsmip6-ha || ds_die "dsmip6-ha did not start"

WRONG_K=565b5ce8b199b49faa5f0a2ee238a6bc   # TS 35.208 set 1 K with its first octet changed
IMSI_BADK=001010000000101 IMSI_UNKNOWN=001010000000102 IMSI_APN=001010000000103
ds_check "dsmip6ctl subscriber add (the good UE, every APN)" \
	aaa_ctl pgw subscriber add "$TB_IMSI" "k=$TB_K" "opc=$TB_OPC"
ds_check "dsmip6ctl subscriber add (subscriber whose USIM has another K)" \
	aaa_ctl pgw subscriber add "$IMSI_BADK" "k=$TB_K" "opc=$TB_OPC"
ds_check "dsmip6ctl subscriber add (subscriber to be removed)" \
	aaa_ctl pgw subscriber add "$IMSI_UNKNOWN" "k=$TB_K" "opc=$TB_OPC"
ds_check "dsmip6ctl subscriber remove" aaa_ctl pgw subscriber remove "$IMSI_UNKNOWN"
ds_check "dsmip6ctl subscriber add (subscriber allowed the ims APN only)" \
	aaa_ctl pgw subscriber add "$IMSI_APN" "k=$TB_K" "opc=$TB_OPC" "apn=$TB_APN2"
subs=$(aaa_ctl pgw --json subscriber list)
for i in "$TB_IMSI" "$IMSI_BADK" "$IMSI_APN"; do
	echo "$subs" | grep -q "\"$i\"" && ds_pass "subscriber list has $i" || ds_fail "subscriber list has $i ($subs)"
done
echo "$subs" | grep -q "\"$IMSI_UNKNOWN\"" && ds_fail "removed subscriber still listed" ||
	ds_pass "the removed subscriber is no longer listed"
echo "$subs" | grep -qi "$TB_K" && ds_fail "subscriber list shows a key" || ds_pass "subscriber list shows no key"

# ha_has_nai NAI: the HA has an allocation or binding for the NAI (bindings all, JSON).
ha_has_nai() { aaa_ctl pgw --json bindings all | grep -q "\"nai\":\"$1\""; }
# ue_ispi NAME: the initiator SPI of the UE's IKE SA (first field of its key log), as tshark
# writes bytes.
ue_ispi() {
	ds_wireshark_profile "$DS6_DIR/$1/keys" "$E2E_OUT/wireshark-$1"
	sed -n '1s/^\([0-9a-fA-F]\{16\}\),.*/\1/p' "$E2E_OUT/wireshark-$1/ikev2_decryption_table" |
		tr 'A-F' 'a-f' | sed 's/../&:/g; s/:$//'
}

# refused NAME IMSI K EAP-COUNTER: one refused UE and what both sides show afterwards.
refused() {
	local name=$1 imsi=$2 k=$3 ctr=$4 nai before after
	nai=$(aaa_nai "$imsi")
	before=$(aaa_json pgw "eap.$ctr" counters)
	aaa_ue_conf "$name" "$imsi" "$k" "$TB_OPC" "$TB_APN1" || ds_die "$name: configuration"
	aaa_ue_start "$name" || ds_die "$name: dsmip6-ue did not start"
	ds_check "$name: the UE reports its PDN connection failed (dsmip6ctl status)" \
		ds_wait_for 30 eval "[ \"\$(aaa_json $name pdn.0.state status)\" = failed ]"
	ds_check "$name: the UE's IKE SA is gone (dsmip6ctl status)" \
		eval "[ \"\$(aaa_json $name pdn.0.ike_sa.state status)\" = none ]"
	ds_check "$name: the UE logs the EAP failure and the failed PDN connection" \
		eval "grep -q 'EAP failed' '$DS6_DIR/$name/log' && grep -q 'PDN $TB_APN1: failed' '$DS6_DIR/$name/log'"
	ds_check "$name: the UE sent no BU (dsmip6ctl counters)" \
		eval "[ \"\$(aaa_json $name ue.bu_sent counters)\" = 0 ]"
	ds_check "$name: HA holds no IKE SA (dsmip6ctl status ike_sas)" \
		ds_wait_for 10 eval "[ \"\$(aaa_json pgw ike_sas status)\" = 0 ]"
	ds_check "$name: HA holds no half-open IKE SA" \
		eval "[ \"\$(aaa_json pgw ike.half_open_current counters)\" = 0 ]"
	ds_check_not "$name: HA holds no allocation for $nai (dsmip6ctl bindings all)" ha_has_nai "$nai"
	ds_check "$name: HA holds no UE (dsmip6ctl status ues)" eval "[ \"\$(aaa_json pgw ues status)\" = 0 ]"
	after=$(aaa_json pgw "eap.$ctr" counters)
	[ "${after:-0}" -gt "${before:-0}" ] && ds_pass "$name: HA counter eap.$ctr $before -> $after" ||
		ds_fail "$name: HA counter eap.$ctr ('$before' -> '$after')"
	ds6_stop "$name"
	eval "ISPI_$name=\$(ue_ispi $name)"
}
refused badk "$IMSI_BADK" "$WRONG_K" failures
refused unknown "$IMSI_UNKNOWN" "$TB_K" unknown_users
refused apn "$IMSI_APN" "$TB_K" apn_rejects
auth_failures=$(aaa_json pgw ike.auth_failures counters)
[ "${auth_failures:-0}" -ge 3 ] && ds_pass "HA counter ike.auth_failures: $auth_failures" ||
	ds_fail "HA counter ike.auth_failures ('$auth_failures')"

# The good UE right after: served as usual.
ds6_start_ue ue || ds_die "dsmip6-ue did not start"
ds_check "good UE registered right after the refusals" ds6_wait_registered ue 30
h6=$(ds6_hoa6 ue); h4=$(ds6_hoa4 ue)
e2e_data "good UE" "$h6" "$h4"
ds_check "HA: one UE, one binding, one IKE SA" \
	eval "[ \"\$(aaa_json pgw ues status) \$(aaa_json pgw bindings status) \$(aaa_json pgw ike_sas status)\" = '1 1 1' ]"

# ---- the refusals on the wire, decrypted with each UE's key log ----
e2e_stop_capture
for name in badk unknown apn; do
	eval "ispi=\$ISPI_$name"
	[ -n "$ispi" ] || { ds_fail "$name: no IKE SA in the UE's key log"; continue; }
	DS_WIRESHARK_CONF="$E2E_OUT/wireshark-$name"
	sa="isakmp.ispi == $ispi and isakmp.exchangetype == 35"
	e2e_expect "$name: IKE_AUTH response with EAP-Failure and AUTHENTICATION_FAILED (24)" "$CAP" \
		"$sa and isakmp.flag_r == 1 and eap.code == 4 and isakmp.notify.msgtype == 24"
	e2e_expect_none "$name: no EAP-Success" "$CAP" "$sa and eap.code == 3"
	e2e_expect_none "$name: no CFG_REPLY (no address given)" "$CAP" "$sa and isakmp.cfg.type == 2"
	e2e_expect_none "$name: no AUTH from the UE" "$CAP" "$sa and isakmp.flag_r == 0 and isakmp.auth.method"
	case $name in
	badk)
		e2e_expect "badk: the HA's AKA-Challenge" "$CAP" "$sa and eap.code == 1 and eap.aka.subtype == 1"
		e2e_expect "badk: the UE rejects AUTN: AKA-Authentication-Reject (RFC 4187 cl. 9.5)" "$CAP" \
			"$sa and eap.code == 2 and eap.aka.subtype == 2" ;;
	unknown)
		e2e_expect_none "unknown: no AKA-Challenge for an unknown IMSI" "$CAP" "$sa and eap.aka.subtype == 1"
		e2e_expect "unknown: AKA-Notification General Failure (16384, RFC 4187 cl. 10.19)" "$CAP" \
			"$sa and eap.code == 1 and eap.aka.subtype == 12 and eap.aka.notification_type == 16384" ;;
	apn)
		e2e_expect "apn: the UE answered the AKA-Challenge (authenticated, then not authorised)" "$CAP" \
			"$sa and eap.code == 2 and eap.aka.subtype == 1"
		e2e_expect "apn: AKA-Notification 1031 'not subscribed to the requested service', with AT_MAC" "$CAP" \
			"$sa and eap.code == 1 and eap.aka.subtype == 12 and eap.aka.notification_type == 1031 and eap.aka.subtype.type == 11" ;;
	esac
done
ds_summary
