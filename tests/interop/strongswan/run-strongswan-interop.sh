#!/usr/bin/env bash
# strongSwan interop of the dsmip6 IKEv2 engine, in two network namespaces (ue, ha):
#  1. charon as the UE (EAP-AKA with Milenage via eap-aka-3gpp, vips ::,0.0.0.0) against the
#     dsmip6 responder (tests/interop/strongswan/ike_peer ha): IKE SA established, IPv6 and IPv4
#     addresses assigned (swanctl --list-sas);
#  2. the dsmip6 initiator (ike_peer ue, EAP-AKA peer, CP with MIP6_HOME_PREFIX) against charon
#     as the HA (EAP-AKA server, address pools): IKE SA established, pool addresses received,
#     liveness check answered;
#  3. tshark decrypts the capture of run 2 with dsmip6's key log and shows the EAP-AKA
#     exchange and the CP attributes (MIP6_HOME_PREFIX requested, INTERNAL_IP6_ADDRESS given);
#  4. charon as the UE with fragmentation = yes against the dsmip6 HA signing with a large
#     (RSA 4096) certificate over IPv4: the IKE_AUTH response goes out as RFC 7383 fragments
#     (576-octet threshold) that charon reassembles; then charon rekeys the IKE SA
#     (swanctl --rekey --ike) and deletes the new one;
#  run 2 also rekeys the IKE SA from the dsmip6 side (ds_ike_rekey) against charon.
# Usage: run-strongswan-interop.sh PATH_TO_ike_peer. Exit 77 only when a tool is missing.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib="$here/../../lib"
. "$lib/common.sh"
. "$lib/netns.sh"
. "$lib/strongswan.sh"

peer_bin=${1:?usage: run-strongswan-interop.sh IKE_PEER}
ds_need_root
ds_need_cmd ip swanctl tshark dumpcap
[ -x /usr/lib/ipsec/charon ] || ds_skip "missing tool: /usr/lib/ipsec/charon"
ds_install_traps

export DS_TB_PREFIX="dsike$$"
build=$(ds_build_root)
plugins=$("$lib/peers.sh" strongswan "$build")
rc=$?
plugins=$(printf "%s\n" "$plugins" | tail -1)
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || ds_die "strongSwan plugins unavailable"
plugins="$plugins/strongswan"

work=$(mktemp -d "${TMPDIR:-/tmp}/dsmip6-ike-interop-XXXXXX")
# DS_KEEP=1 keeps the work folder (captures, key logs, charon logs) for inspection.
[ -n "${DS_KEEP:-}" ] && ds_log "work folder: $work" || ds_on_exit "rm -rf '$work'"
ds_on_exit "ds_ns_del ue; ds_ns_del ha"

# Subscriber (TS 35.208 test set 1 key and OPc) and the APN the UE asks for in IDr.
NAI="0001010123456789@nai.epc.mnc001.mcc001.3gppnetwork.org"
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
APN=internet
PSK="dsmip6-interop-psk"

ds_ns_add ue 0
ds_ns_add ha 0
ds_veth ue ue0 ha ha0
ds_addr ue ue0 2001:db8:a::10/64
ds_addr ha ha0 2001:db8:a::1/64
ds_addr ue ue0 192.0.2.10/24
ds_addr ha ha0 192.0.2.1/24

# ---- 1. strongSwan UE -> dsmip6 HA ----
d1="$work/ss-ue"
ss_setup "$d1"
cat >"$d1/swanctl.conf" <<EOF
connections {
  s2c {
    version = 2
    remote_addrs = 2001:db8:a::1
    proposals = aes256gcm16-prfsha384-x25519,aes128-sha256-modp2048
    vips = ::,0.0.0.0
    childless = force
    local {
      auth = eap-aka
      id = $NAI
    }
    remote {
      auth = psk
      id = $APN
    }
  }
}
secrets {
  eap-ue {
    id = $NAI
    secret = 0x$K$OPC
  }
  ike-ha {
    id = $APN
    secret = "$PSK"
  }
}
EOF
ds_nsx ha dumpcap -q -i ha0 -f "udp port 500 or udp port 4500" -w "$work/ike1.pcapng" >/dev/null 2>&1 &
cap1_pid=$!
ds_on_exit "kill $cap1_pid 2>/dev/null; true"
sleep 1
ds_nsx ha "$peer_bin" ha --local 2001:db8:a::1 --nai "$NAI" --apn "$APN" --k "$K" --opc "$OPC" \
	--psk "$PSK" --hnp 2001:db8:1000:1::/64 --hoa6 2001:db8:1000:1::10/64 --hoa4 10.45.0.7 \
	--keylog "$work/ha.keys" --seconds 40 >"$work/ha.out" 2>&1 &
ha_pid=$!
ds_on_exit "kill $ha_pid 2>/dev/null; true"
ss_start ue "$d1" "$plugins" || ds_die "charon (UE) did not start"
ss_load ue "$d1" >"$work/load1.out" 2>&1 || { cat "$work/load1.out"; ds_die "swanctl load (UE)"; }
ss_swanctl ue "$d1" --initiate --ike s2c --timeout 20 >"$work/init1.out" 2>&1
ss_swanctl ue "$d1" --list-sas --raw >"$work/sas1.out" 2>&1
ds_check "charon UE: IKE SA with the dsmip6 HA is ESTABLISHED" grep -q "state=ESTABLISHED" "$work/sas1.out"
ds_check "charon UE: got the IPv6 address from INTERNAL_IP6_ADDRESS" grep -q "2001:db8:1000:1::10" "$work/sas1.out"
ds_check "charon UE: got the IPv4 address from INTERNAL_IP4_ADDRESS" grep -q "10.45.0.7" "$work/sas1.out"
ds_wait_for 5 grep -q ESTABLISHED "$work/ha.out"
ds_check "dsmip6 HA: reports the SA for the NAI and APN" grep -q "ESTABLISHED nai=$NAI apn=$APN" "$work/ha.out"
ss_swanctl ue "$d1" --terminate --ike s2c --timeout 10 >/dev/null 2>&1
ds_wait_for 10 grep -q "CLOSED reason=2" "$work/ha.out"
ds_check "dsmip6 HA: charon's IKE Delete closed the SA" grep -q "CLOSED reason=2" "$work/ha.out"
kill "$ha_pid" 2>/dev/null
wait "$ha_pid" 2>/dev/null
kill "$(cat "$d1/pid")" 2>/dev/null
ds_wait_for 5 eval "! ds_pid_alive $(cat "$d1/pid")"

# ---- 4. strongSwan UE (fragmentation = yes) -> dsmip6 HA with a large certificate ----
pki="$work/pki"
mkdir -p "$pki"
(
	cd "$pki" && umask 077 &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null &&
	openssl req -new -x509 -key ca.key -out ca.pem -days 30 -sha256 -subj "/O=dsmip6 interop/CN=root" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null &&
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out ha.key 2>/dev/null &&
	printf '%s\n' basicConstraints=critical,CA:FALSE keyUsage=critical,digitalSignature \
		"subjectAltName=DNS:$APN,IP:192.0.2.1" >ha.ext &&
	openssl req -new -key ha.key -out ha.csr -subj "/O=dsmip6 interop/CN=$APN" 2>/dev/null &&
	openssl x509 -req -in ha.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out ha.pem -days 30 \
		-sha256 -extfile ha.ext 2>/dev/null
) || ds_die "test certificate"
d4="$work/ss-ue-frag"
ss_setup "$d4"
cp "$pki/ca.pem" "$d4/x509ca/"
cat >"$d4/swanctl.conf" <<EOF
connections {
  s2cf {
    version = 2
    remote_addrs = 192.0.2.1
    proposals = aes256gcm16-prfsha384-x25519
    vips = ::,0.0.0.0
    childless = force
    fragmentation = yes
    local {
      auth = eap-aka
      id = $NAI
    }
    remote {
      auth = pubkey
      id = $APN
    }
  }
}
secrets {
  eap-ue {
    id = $NAI
    secret = 0x$K$OPC
  }
}
EOF
ds_nsx ha "$peer_bin" ha --local 192.0.2.1 --nai "$NAI" --apn "$APN" --k "$K" --opc "$OPC" \
	--cert "$pki/ha.pem" --key "$pki/ha.key" --frag --hnp 2001:db8:1000:2::/64 \
	--hoa6 2001:db8:1000:2::10/64 --hoa4 10.45.0.8 --seconds 60 --exit-on-closed \
	>"$work/ha4.out" 2>"$work/ha4.err" &
ha4_pid=$!
ds_on_exit "kill $ha4_pid 2>/dev/null; true"
ss_start ue "$d4" "$plugins" || ds_die "charon (UE, fragmentation) did not start"
ss_load ue "$d4" >"$work/load4.out" 2>&1 || { cat "$work/load4.out"; ds_die "swanctl load (UE 4)"; }
ss_swanctl ue "$d4" --initiate --ike s2cf --timeout 20 >"$work/init4.out" 2>&1
ss_swanctl ue "$d4" --list-sas --raw >"$work/sas4.out" 2>&1
ds_check "charon UE (fragmentation): IKE SA with the certificate HA is ESTABLISHED" \
	grep -q "state=ESTABLISHED" "$work/sas4.out"
ds_check "charon UE: reassembled the dsmip6 HA's IKE_AUTH fragments" \
	grep -q "reassembled fragmented IKE message" "$d4/charon.log"
ds_check "charon UE: checked the HA's RSA certificate" grep -q "authentication of '$APN' with RSA" "$d4/charon.log"
ds_wait_for 5 grep -q ESTABLISHED "$work/ha4.out"
ds_check "dsmip6 HA: SA up behind fragmented IKE_AUTH" grep -q "ESTABLISHED nai=$NAI apn=$APN" "$work/ha4.out"
ss_swanctl ue "$d4" --rekey --ike s2cf >"$work/rekey4.out" 2>&1
ds_wait_for 10 grep -q "REKEYED n=1" "$work/ha4.out"
ds_check "dsmip6 HA: charon's IKE SA rekey accepted (CREATE_CHILD_SA with KE)" grep -q "REKEYED n=1" "$work/ha4.out"
sleep 1
ss_swanctl ue "$d4" --list-sas --raw >"$work/sas4b.out" 2>&1
spi4=$(sed -n 's/^REKEYED n=1 spi_i=\([0-9a-f]*\).*/\1/p' "$work/ha4.out")
ds_check "charon UE: the rekeyed IKE SA (SPIs of the dsmip6 side) is ESTABLISHED" \
	sh -c "test -n '$spi4' && grep -q 'state=ESTABLISHED' '$work/sas4b.out' && grep -q '$spi4' '$work/sas4b.out'"
ds_check "charon UE: exactly one IKE SA left (the old one was deleted)" \
	test "$(grep -c 'state=ESTABLISHED' "$work/sas4b.out")" -eq 1
ss_swanctl ue "$d4" --terminate --ike s2cf --timeout 10 >/dev/null 2>&1
ds_wait_for 10 grep -q "CLOSED reason=2" "$work/ha4.out"
ds_check "dsmip6 HA: charon's Delete over the rekeyed SA closed it" grep -q "CLOSED reason=2" "$work/ha4.out"
# the HA exits after that close (--exit-on-closed), freeing 192.0.2.1:500 for charon in run 2
wait "$ha4_pid" 2>/dev/null
kill "$(cat "$d4/pid")" 2>/dev/null
ds_wait_for 5 eval "! ds_pid_alive $(cat "$d4/pid")"

# ---- 2. dsmip6 UE -> strongSwan HA, captured for 3. ----
d2="$work/ss-ha"
ss_setup "$d2"
cat >"$d2/swanctl.conf" <<EOF
connections {
  ha {
    version = 2
    local_addrs = 192.0.2.1
    proposals = aes256gcm16-prfsha384-x25519,aes128gcm16-prfsha256-ecp256
    pools = p6, p4
    fragmentation = yes
    local {
      auth = psk
      id = $APN
    }
    remote {
      auth = eap-aka
    }
  }
}
pools {
  p6 {
    addrs = 2001:db8:2000::10/124
  }
  p4 {
    addrs = 10.46.0.16/28
  }
}
secrets {
  eap-ue {
    id = $NAI
    secret = 0x$K$OPC
  }
  ike-ha {
    id = $APN
    secret = "$PSK"
  }
}
EOF
ss_start ha "$d2" "$plugins" || ds_die "charon (HA) did not start"
ss_load ha "$d2" >"$work/load2.out" 2>&1 || { cat "$work/load2.out"; ds_die "swanctl load (HA)"; }
ds_nsx ha dumpcap -q -i ha0 -f "udp port 500 or udp port 4500" -w "$work/ike.pcapng" >/dev/null 2>&1 &
cap_pid=$!
ds_on_exit "kill $cap_pid 2>/dev/null; true"
sleep 1
ds_nsx ue "$peer_bin" ue --local 192.0.2.10 --remote 192.0.2.1 --nai "$NAI" --apn "$APN" \
	--k "$K" --opc "$OPC" --psk "$PSK" --keylog "$work/ue.keys" --seconds 20 --frag \
	--rekey-after 1 --exit-on-established --liveness >"$work/ue.out" 2>&1
ue_rc=$?
sleep 1
kill "$cap_pid" 2>/dev/null
wait "$cap_pid" 2>/dev/null
ss_swanctl ha "$d2" --list-sas --raw >"$work/sas2.out" 2>&1
ds_check "dsmip6 UE: IKE SA with charon HA established" test "$ue_rc" -eq 0
ds_check "dsmip6 UE: IPv6 address from the charon pool" grep -Eq "hoa6=2001:db8:2000::1[0-9a-f]/" "$work/ue.out"
ds_check "dsmip6 UE: IPv4 address from the charon pool" grep -Eq "hoa4=10\.46\.0\.(1[6-9]|2[0-9]|3[01])" "$work/ue.out"
ds_check "dsmip6 UE: no retransmission needed" grep -q "retransmits=0" "$work/ue.out"
ds_check "charon HA: IKE SA ESTABLISHED with the NAI" grep -q "remote-id=$NAI" "$work/sas2.out"
spi2=$(sed -n 's/^REKEYED n=1 spi_i=\([0-9a-f]*\).*/\1/p' "$work/ue.out")
ds_check "dsmip6 UE: rekeyed the IKE SA with charon (ds_ike_rekey)" test -n "$spi2"
ds_check "charon HA: holds the IKE SA under the new SPIs, the old one deleted" \
	sh -c "grep -q '$spi2' '$work/sas2.out' && test \$(grep -c 'state=ESTABLISHED' '$work/sas2.out') -eq 1"

# ---- 3. tshark decrypts dsmip6's IKE traffic with dsmip6's key log ----
key=$(head -1 "$work/ue.keys" 2>/dev/null)
ds_check "dsmip6 wrote a key log line" test -n "$key"
tshark -n -r "$work/ike.pcapng" -o "uat:ikev2_decryption_table:$key" -V >"$work/decoded.txt" 2>&1
ds_check "tshark: decrypted EAP-AKA inside IKE_AUTH" grep -q "Extensible Authentication Protocol" "$work/decoded.txt"
ds_check "tshark: EAP-AKA challenge seen" grep -q "AKA-Challenge" "$work/decoded.txt"
ds_check "tshark: CFG_REQUEST with MIP6_HOME_PREFIX" grep -q "MIP6_HOME_PREFIX" "$work/decoded.txt"
ds_check "tshark: CFG_REPLY decrypted" grep -q "CFG_REPLY" "$work/decoded.txt"
ds_check "tshark: CFG_REPLY carries INTERNAL_IP6_ADDRESS" \
	sh -c "grep -A40 CFG_REPLY '$work/decoded.txt' | grep -q INTERNAL_IP6_ADDRESS"
ds_check "tshark: identity payloads decrypted (IDi is the NAI)" grep -q "$NAI" "$work/decoded.txt"

if [ "${DS_FAILS:-0}" -gt 0 ]; then
	for f in ha.out ue.out init1.out sas1.out sas2.out ha4.out ha4.err init4.out sas4.out sas4b.out rekey4.out; do
		echo "---- $f"; cat "$work/$f" 2>/dev/null | tail -20
	done
	echo "---- charon logs"; tail -30 "$d1/charon.log" "$d2/charon.log" "$d4/charon.log" 2>/dev/null
fi
ds_summary
