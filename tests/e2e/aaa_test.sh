#!/usr/bin/env bash
# dsmip6-ha with its RADIUS back end (aaa: mode: radius) towards an external 3GPP AAA server:
# hostapd as the RADIUS EAP server (RFC 3579, driver=none) with EAP-AKA, its vectors from
# hlr_auc_gw (Milenage), in its own namespace on the operator backbone.
#  (a) dsmip6-ue attaches over WLAN: EAP-AKA inside IKE_AUTH is relayed to hostapd
#      (Access-Request / Access-Challenge / Access-Accept with the MSK in the MS-MPPE keys), the
#      UE registers (ESP-protected BU / BA) and data flows to its home addresses;
#  (b) strongSwan charon as the UE (eap-aka-3gpp) establishes its IKE SA with the same HA in
#      RADIUS mode; the HA allocates its HNP and answers its CFG_REQUEST;
#  (c) refusals decided by the AAA server (a USIM with another K, an IMSI the HLR does not
#      know): Access-Reject, then AUTHENTICATION_FAILED with EAP-Failure to the UE, nothing kept;
#  (d) the AAA server down: the RADIUS requests time out, the attach fails, nothing kept;
#  (e) the AAA server back: a UE attaches again.
# The subscribers exist only in the AAA server's HLR: the HA's own store stays empty.
. "$(dirname "$0")/../lib/e2e.sh"
. "$_e2e_root/tests/lib/aaa.sh"
. "$_e2e_root/tests/lib/strongswan.sh"
ds_need_cmd hostapd swanctl /usr/lib/ipsec/charon
echo "# AAA over RADIUS ($DS_TB_PREFIX)"
peers=$("$_e2e_root/tests/lib/peers.sh" all "$DS6_BUILD" | tail -1) ||
	ds_die "tests/lib/peers.sh could not provide hlr_auc_gw and the strongSwan plugins"

# The second subscriber is strongSwan's, so the two UEs are told apart on the RADIUS link.
SS_IMSI=001010123456790
SS_NAI=$(aaa_nai "$SS_IMSI")
IMSI_BADK=001010000000201     # in the HLR with the test K; its USIM holds another K
IMSI_UNKNOWN=001010000000202  # not in the HLR
WRONG_K=565b5ce8b199b49faa5f0a2ee238a6bc

aaa_up || ds_die "aaa namespace"
aaa_start "$DS_TB_RUN/aaa" "$peers/hostapd/hlr_auc_gw" "$TB_HA1_ADDR4" \
	"$TB_IMSI $TB_K $TB_OPC" "$SS_IMSI $TB_K $TB_OPC" "$IMSI_BADK $TB_K $TB_OPC" || ds_die "hostapd / hlr_auc_gw did not start"
ds_on_exit "cp -f '$DS_TB_RUN/aaa/hostapd.log' '$DS_TB_RUN/aaa/hlr.log' '$E2E_OUT/' 2>/dev/null; true"
ds_check "the PDN GW reaches the AAA server" x pgw ping -c1 -W2 "$AAA_ADDR4"

e2e_accesses wlan
aaa_ha_conf pgw 1 "$(aaa_ha_radius_yaml 2 1)" || ds_die "HA configuration"
ds6_start pgw dsmip6-ha || ds_die "dsmip6-ha did not start"
ds_check "HA status: AAA mode radius" eval '[ "$(aaa_json pgw aaa status)" = radius ]'
ds_check "HA subscriber store is empty (the AAA server holds the subscribers)" \
	eval '[ "$(aaa_json pgw subscribers subscriber list)" = "[]" ]'

# ---- (a) dsmip6-ue ----
ds6_start_ue ue || ds_die "dsmip6-ue did not start"
ds_check "dsmip6-ue registered over WLAN through the RADIUS-authenticated IKE SA" \
	ds6_wait_registered ue 40
h6=$(ds6_hoa6 ue); h4=$(ds6_hoa4 ue)
echo "# HoA $h6, IPv4 HoA $h4"
case "$h6" in 2001:db8:100:*) ds_pass "IPv6 HoA from the HA's HNP pool ($h6)" ;; *) ds_fail "IPv6 HoA from the HNP pool ('$h6')" ;; esac
case "$h4" in 198.51.100.*) ds_pass "IPv4 HoA from the pool ($h4)" ;; *) ds_fail "IPv4 HoA from the pool ('$h4')" ;; esac
e2e_data "radius" "$h6" "$h4"
acc=$(aaa_json pgw radius.accepts counters)
ch=$(aaa_json pgw radius.challenges counters)
[ "${acc:-0}" -ge 1 ] && [ "${ch:-0}" -ge 1 ] &&
	ds_pass "HA counters: RADIUS challenges $ch, accepts $acc" ||
	ds_fail "HA counters: RADIUS challenges '$ch', accepts '$acc'"
ds6_stop ue
ds_check "HA: the UE's detach removed its binding" \
	ds_wait_for 10 eval '[ "$(aaa_json pgw bindings status)" = 0 ]'

# ---- (b) strongSwan charon as the UE ----
ssdir=$(mktemp -d)   # not under /run: charon gets a private /run bind-mounted over it
ds_on_exit "cp -f '$ssdir/charon.log' '$E2E_OUT/charon-ue.log' 2>/dev/null; cp -rf '$ssdir/keys' '$E2E_OUT/charon-keys' 2>/dev/null; rm -rf '$ssdir'"
ss_setup "$ssdir"
cp "$DS6_DIR/pki/ca.pem" "$ssdir/x509ca/"
cat >"$ssdir/swanctl.conf" <<CONF
connections {
  s2c {
    version = 2
    local_addrs = $TB_WLAN6_UE
    remote_addrs = $TB_HA1_ADDR6
    proposals = aes256gcm16-prfsha384-x25519
    vips = ::, 0.0.0.0
    childless = force
    local {
      auth = eap-aka
      id = $SS_NAI
      eap_id = $SS_NAI
    }
    remote {
      auth = pubkey
      id = $TB_APN1
    }
  }
}
secrets {
  eap-ue {
    id = $SS_NAI
    secret = 0x$TB_K$TB_OPC
  }
}
CONF
ss_start ue "$ssdir" "$peers/strongswan" || ds_die "charon (UE) did not start"
ss_load ue "$ssdir" >"$E2E_OUT/swanctl-load.log" 2>&1 || ds_fail "swanctl --load-all"
ss_swanctl ue "$ssdir" --initiate --ike s2c --timeout 30 >"$E2E_OUT/swanctl-initiate.log" 2>&1
ss_swanctl ue "$ssdir" --list-sas --raw >"$E2E_OUT/swanctl-sas.log" 2>&1
sas=$(cat "$E2E_OUT/swanctl-sas.log")
echo "$sas" | grep -q "state=ESTABLISHED" &&
	ds_pass "charon UE: IKE SA with dsmip6-ha (RADIUS) ESTABLISHED" || ds_fail "charon UE: IKE SA ESTABLISHED"
# The S2c address is the HNP (MIP6_HOME_PREFIX, R-13), which charon cannot ask for: the HA
# answers charon's CFG_REQUEST (INTERNAL_IP6/IP4_ADDRESS) with a CFG_REPLY and allocates the
# HNP for the NAI; the CFG_REPLY is checked on the capture below.
ss_hnp=$(aaa_ctl pgw --json bindings all | /usr/bin/python3 -c '
import json, sys
for b in json.load(sys.stdin)["result"]["bindings"]:
    if b["nai"] == sys.argv[1] and b["apn"] == sys.argv[2]:
        print(b["hnp"])' "$SS_NAI" "$TB_APN1")
case "$ss_hnp" in 2001:db8:100:*/64) ds_pass "HA: HNP $ss_hnp allocated to the charon UE's NAI" ;;
	*) ds_fail "HA: HNP allocated to the charon UE's NAI ('$ss_hnp')" ;; esac
# INTERNAL_IP6_ADDRESS (RFC 5026 cl. 4.2.1): the HA hands a generic client HNP | IID as its HoA.
ss_vip=$(echo "$sas" | grep -o "local-vips=\[[^]]*\]" | head -1)
case "$ss_vip" in *"${ss_hnp%%::/64}:"*) ds_pass "charon UE: home address from the HNP by CP ($ss_vip)" ;;
	*) ds_fail "charon UE: home address from the HNP by CP ('$ss_vip', HNP '$ss_hnp')" ;; esac
acc2=$(aaa_json pgw radius.accepts counters)
[ "${acc2:-0}" -gt "${acc:-0}" ] && ds_pass "HA counters: one more RADIUS Access-Accept ($acc2)" ||
	ds_fail "HA counters: RADIUS accepts after charon ('$acc2', before '$acc')"
ss_swanctl ue "$ssdir" --terminate --ike s2c --timeout 10 >/dev/null 2>&1
ds_check "HA: charon's IKE Delete leaves no IKE SA" \
	ds_wait_for 10 eval '[ "$(aaa_json pgw ike_sas status)" = 0 ]'
echo "# HA allocations: $(aaa_ctl pgw --json bindings all)"
ss_pid=$(cat "$ssdir/pid")
kill "$ss_pid" 2>/dev/null
ds_wait_for 10 eval "! ds_pid_alive $ss_pid" || kill -9 "$ss_pid" 2>/dev/null

# ---- (c) refusals decided by the AAA server ----
aaa_refused radius-badk "$IMSI_BADK" "$WRONG_K" radius.rejects
aaa_refused radius-unknown "$IMSI_UNKNOWN" "$TB_K" radius.rejects

# ---- (d) the AAA server down ----
aaa_hostapd_stop "$DS_TB_RUN/aaa"
aaa_refused radius-down "$TB_IMSI" "$TB_K" radius.timeouts

# ---- (e) the AAA server back ----
aaa_hostapd_start "$DS_TB_RUN/aaa" || ds_die "hostapd did not restart"
ds6_start_ue ue || ds_die "dsmip6-ue did not start again"
ds_check "dsmip6-ue registered again once the AAA server is back" ds6_wait_registered ue 40
ds_check "data to the HoA after the AAA outage" x cn ping -6 -c2 -i0.2 -W2 "$(ds6_hoa6 ue)"
ds6_stop ue

# ---- what the capture at the PDN GW shows ----
e2e_stop_capture
e2e_expect_attach "dsmip6-ue (RADIUS)" "$CAP"
e2e_expect_esp_shape "dsmip6-ue (RADIUS)" "$CAP" "$TB_WLAN6_UE" "$h6"
rad="ip.src == $TB_HA1_ADDR4 and ip.dst == $AAA_ADDR4 and udp.dstport == $AAA_PORT"
rev="ip.src == $AAA_ADDR4 and ip.dst == $TB_HA1_ADDR4 and udp.srcport == $AAA_PORT"
for who in "$TB_NAI" "$SS_NAI"; do
	e2e_expect "RADIUS Access-Request HA -> AAA for $who, EAP-Message and Message-Authenticator (RFC 3579 cl. 3.1, 3.2)" "$CAP" \
		"$rad and radius.code == 1 and radius.User_Name == \"$who\" and eap and radius.Message_Authenticator" 2
	e2e_expect "RADIUS Access-Request for $who carries the EAP-AKA Challenge response" "$CAP" \
		"$rad and radius.code == 1 and radius.User_Name == \"$who\" and eap.code == 2 and eap.type == 23 and eap.aka.subtype == 1"
done
e2e_expect "RADIUS Access-Challenge AAA -> HA with the EAP-AKA Challenge" "$CAP" \
	"$rev and radius.code == 11 and eap.code == 1 and eap.type == 23 and eap.aka.subtype == 1" 2
e2e_expect "RADIUS Access-Accept AAA -> HA with EAP-Success and the MS-MPPE keys" "$CAP" \
	"$rev and radius.code == 2 and eap.code == 3 and radius.MS_MPPE_Recv_Key and radius.MS_MPPE_Send_Key" 2
n=$(e2e_count "$CAP" "$rev and radius.code == 3 and eap.code == 4 and radius.Message_Authenticator")
[ "$n" -eq 2 ] && ds_pass "RADIUS Access-Reject with EAP-Failure: exactly the two refused UEs" ||
	ds_fail "RADIUS Access-Reject with EAP-Failure: found $n, expected 2"
# The EAP-AKA the HA relayed is the one inside IKE_AUTH (decrypted with the UE's key log).
e2e_expect "the EAP-AKA Challenge reaches the UE inside IKE_AUTH" "$CAP" \
	"isakmp.exchangetype == 35 and eap.code == 1 and eap.type == 23 and eap.aka.subtype == 1"
# charon's IKE SA, decrypted with the keys its save-keys plugin wrote.
ss_ispi=$(echo "$sas" | sed -n 's/.*initiator-spi=\([0-9a-f]*\).*/\1/p' | sed 's/../&:/g; s/:$//')
ds_wireshark_profile "$ssdir/keys" "$E2E_OUT/wireshark-charon"
DS_WIRESHARK_CONF="$E2E_OUT/wireshark-charon"
e2e_expect "charon: EAP-AKA Challenge relayed from the AAA server inside IKE_AUTH" "$CAP" \
	"isakmp.exchangetype == 35 and isakmp.ispi == $ss_ispi and eap.code == 1 and eap.type == 23 and eap.aka.subtype == 1"
e2e_expect "charon: IKE_AUTH response with EAP-Success then AUTH and CFG_REPLY" "$CAP" \
	"isakmp.exchangetype == 35 and isakmp.cfg.type == 2 and isakmp.ispi == $ss_ispi"
# The refusals, decrypted with each refused UE's key log.
aaa_expect_refusal radius-badk "$CAP"
e2e_expect "radius-badk: AKA-Authentication-Reject relayed" "$CAP" "$AAA_SA and eap.code == 2 and eap.aka.subtype == 2"
aaa_expect_refusal radius-unknown "$CAP"
e2e_expect_none "radius-unknown: no AKA-Challenge" "$CAP" "$AAA_SA and eap.aka.subtype == 1"
aaa_expect_refusal radius-down "$CAP"
ds_summary
