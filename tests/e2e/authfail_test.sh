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

aaa_refused badk "$IMSI_BADK" "$WRONG_K" eap.failures
aaa_refused unknown "$IMSI_UNKNOWN" "$TB_K" eap.unknown_users
aaa_refused apn "$IMSI_APN" "$TB_K" eap.apn_rejects
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
	aaa_expect_refusal "$name" "$CAP"
	sa=$AAA_SA
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
