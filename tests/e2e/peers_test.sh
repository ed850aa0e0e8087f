#!/usr/bin/env bash
# The reference peers the interop tests and benchmarks rely on, proven in the testbed:
#  - tests/lib/peers.sh builds strongSwan's eap-aka-3gpp and save-keys plugins and hostapd's
#    hlr_auc_gw from Debian's source packages (skip = 77 only if the sources cannot be fetched);
#  - a strongSwan UE attaches to a strongSwan HA over the WLAN access with EAP-AKA (TS 35.208
#    set 1 Milenage credentials) and receives an IPv6 and an IPv4 address by CP (RFC 7296 cl. 3.15);
#  - the capture taken at the PDN GW is decrypted with the keys save-keys wrote, through the same
#    Wireshark key profile the dsmip6 tests use, and shows EAP-AKA inside IKE_AUTH;
#  - hlr_auc_gw answers a Milenage authentication vector request.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/lib/common.sh"
ds_need_root
ds_need_cmd ip dnsmasq dumpcap tshark openssl swanctl /usr/lib/ipsec/charon /usr/bin/python3
build=$(ds_build_root)
peers=$("$root/tests/lib/peers.sh" all "$build"); rc=$?
[ "$rc" -eq 77 ] && ds_skip "Debian source packages cannot be fetched"
[ "$rc" -eq 0 ] || ds_die "peers.sh failed"
export DS_TB_PREFIX="dsp$$"
export DS_TB_RUN="/run/dsmip6-testbed/$DS_TB_PREFIX"
. "$root/tests/lib/netns.sh"
. "$root/testbed/addr.sh"
. "$root/tests/lib/capture.sh"
. "$root/tests/lib/dsmip6.sh"
. "$root/tests/lib/strongswan.sh"
out="$build/meson-logs/e2e/peers"
rm -rf "$out"; mkdir -p "$out"
ds_install_traps
ds_on_exit "'$root/testbed/topology.sh' down >/dev/null 2>&1"
"$root/testbed/topology.sh" up >"$out/topology.log" 2>&1 || ds_die "testbed up"
"$root/testbed/access.sh" home down; "$root/testbed/access.sh" nat down
ds_capture_start pgw "$out/capture.pcapng" core0 || ds_die "capture"

# Not under /run: each charon gets a private /run bind-mounted over it.
ssdir=$(mktemp -d)
ds_on_exit "rm -rf '$ssdir'"
ha="$ssdir/ha"; ue="$ssdir/ue"
ss_setup "$ha"; ss_setup "$ue"
DS6_DIR="$DS_TB_RUN" ds6_make_pki "$DS_TB_RUN/pki" "$TB_HA_APN1"
cp "$DS_TB_RUN/pki/ha.pem" "$ha/x509/"; cp "$DS_TB_RUN/pki/ha.key" "$ha/pkcs8/"
cp "$DS_TB_RUN/pki/ca.pem" "$ue/x509ca/"
secret="0x$TB_K$TB_OPC"
cat >"$ha/swanctl.conf" <<CONF
connections {
  s2c {
    version = 2
    local_addrs = $TB_HA1_ADDR6
    proposals = aes128-sha256-x25519
    pools = pool6, pool4
    childless = allow
    local {
      auth = pubkey
      certs = ha.pem
      id = $TB_HA_APN1
    }
    remote {
      auth = eap-aka
      eap_id = %any
    }
  }
}
pools {
  pool6 {
    addrs = 2001:db8:100::/120
  }
  pool4 {
    addrs = $TB_HA1_V4_POOL
  }
}
secrets {
  eap-ue {
    id = $TB_NAI
    secret = $secret
  }
}
CONF
cat >"$ue/swanctl.conf" <<CONF
connections {
  s2c {
    version = 2
    local_addrs = $TB_WLAN6_UE
    remote_addrs = $TB_HA1_ADDR6
    proposals = aes128-sha256-x25519
    vips = ::, 0.0.0.0
    childless = force
    local {
      auth = eap-aka
      id = $TB_NAI
      eap_id = $TB_NAI
    }
    remote {
      auth = pubkey
      id = $TB_HA_APN1
    }
  }
}
secrets {
  eap-ue {
    id = $TB_NAI
    secret = $secret
  }
}
CONF
ss_start pgw "$ha" "$peers/strongswan" || ds_die "charon (HA) did not start"
ss_start ue "$ue" "$peers/strongswan" || ds_die "charon (UE) did not start"
grep -q "eap-aka-3gpp" "$ha/charon.log" && grep -q "save-keys" "$ha/charon.log" &&
	ds_pass "charon loaded the built eap-aka-3gpp and save-keys plugins" ||
	ds_fail "charon loaded the built plugins"
ss_load pgw "$ha" >"$out/load-ha.log" 2>&1 || ds_fail "swanctl --load-all (HA)"
ss_load ue "$ue" >"$out/load-ue.log" 2>&1 || ds_fail "swanctl --load-all (UE)"
ss_swanctl ue "$ue" --initiate --ike s2c --timeout 20 >"$out/initiate.log" 2>&1 &&
	ds_pass "strongSwan UE established the IKE SA with EAP-AKA" || ds_fail "IKE SA established (see $out)"
sas=$(ss_swanctl ue "$ue" --list-sas --raw 2>/dev/null)
echo "$sas" | grep -q "local-vips=\[2001:db8:100::" && ds_pass "IPv6 address from the HA's CP pool" || ds_fail "IPv6 address by CP"
echo "$sas" | grep -q "198.51.100." && ds_pass "IPv4 address from the HA's CP pool" || ds_fail "IPv4 address by CP"
sleep 0.3
ds_capture_stop "$out/capture.pcapng"
cp -r "$ha/keys" "$out/keys"; cp "$ha/charon.log" "$out/charon-ha.log"; cp "$ue/charon.log" "$out/charon-ue.log"
ds_wireshark_profile "$ha/keys" "$out/wireshark"
DS_WIRESHARK_CONF="$out/wireshark"
n=$(ds_tshark "$out/capture.pcapng" -Y "isakmp.exchangetype == 35 and eap.type == 23" -T fields -e frame.number | wc -l)
[ "$n" -ge 4 ] && ds_pass "capture decrypted with the key profile: EAP-AKA in IKE_AUTH ($n messages)" ||
	ds_fail "capture decrypted: EAP-AKA in IKE_AUTH (found $n)"
n=$(ds_tshark "$out/capture.pcapng" -Y "isakmp.cfg.attr.internal_ip6_address" -T fields -e frame.number | wc -l)
[ "$n" -ge 1 ] && ds_pass "CP INTERNAL_IP6_ADDRESS decoded" || ds_fail "CP INTERNAL_IP6_ADDRESS decoded"

# hlr_auc_gw as a Milenage oracle over its UNIX datagram socket.
hl="$DS_TB_RUN/hlr"; mkdir -p "$hl"
echo "$TB_IMSI $TB_K $TB_OPC 8000 000000000020" >"$hl/milenage_db"
"$peers/hostapd/hlr_auc_gw" -s "$hl/hlr.sock" -m "$hl/milenage_db" >"$hl/log" 2>&1 &
hpid=$!
ds_on_exit "kill $hpid 2>/dev/null; wait $hpid 2>/dev/null; true"
ds_wait_for 5 test -S "$hl/hlr.sock"
resp=$(/usr/bin/python3 - "$hl" "$TB_IMSI" <<'PY'
import socket, sys, os
d, imsi = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
me = os.path.join(d, "client.sock")
s.bind(me)
s.settimeout(5)
s.sendto(("AKA-REQ-AUTH " + imsi).encode(), os.path.join(d, "hlr.sock"))
print(s.recv(1000).decode())
PY
)
echo "# hlr_auc_gw: $resp"
# AKA-RESP-AUTH <IMSI> <RAND 16> <AUTN 16> <IK 16> <CK 16> <RES 8> (hex)
echo "$resp" | grep -Eq "^AKA-RESP-AUTH $TB_IMSI [0-9a-f]{32} [0-9a-f]{32} [0-9a-f]{32} [0-9a-f]{32} [0-9a-f]{16}$" &&
	ds_pass "hlr_auc_gw answers a Milenage vector" || ds_fail "hlr_auc_gw vector ('$resp')"
ds_summary
