#!/bin/sh
# AAA interop: the dsmip6 EAP-AKA / EAP-AKA' peer and RADIUS pass-through back end against
# hostapd as the RADIUS EAP server (RFC 3579) fed by hlr_auc_gw (Milenage HLR/AuC), and the
# dsmip6 USIM against hlr_auc_gw's vectors. Everything runs in a private network namespace.
# Usage: run-aaa-interop.sh <aaa_client binary>. Prints one TAP line per check; exits 0 when
# all pass, 1 otherwise, 77 when not root, or hostapd or the hlr_auc_gw source is not available.
set -u
CLIENT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${DSMIP6_BUILD_ROOT:-$(pwd)}

if [ -z "${DSMIP6_AAA_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 77; }
	command -v hostapd >/dev/null 2>&1 || { echo "skip: hostapd not installed"; exit 77; }
	command -v unshare >/dev/null 2>&1 || { echo "skip: unshare missing"; exit 77; }
	# hlr_auc_gw from the shared peer cache (tests/lib/peers.sh: 77 only when Debian's wpa
	# source cannot be fetched; a failing build is a failure, not a skip)
	PEERS=$(bash "$HERE/../../lib/peers.sh" hlr "$BUILD")
	case $? in
	0) HLR="$PEERS/hostapd/hlr_auc_gw" ;;
	77) echo "skip: cannot fetch the source of hlr_auc_gw"; exit 77 ;;
	*) echo "not ok - hlr_auc_gw could not be built"; exit 1 ;;
	esac
	DSMIP6_AAA_NETNS=1 HLR="$HLR" exec unshare -n "$0" "$@"
fi
ip link set lo up

D=$(mktemp -d)
cleanup() {
	[ -n "${HPID:-}" ] && kill "$HPID" 2>/dev/null
	[ -n "${HPID2:-}" ] && kill "$HPID2" 2>/dev/null
	[ -n "${GPID:-}" ] && kill "$GPID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

# TS 35.208 test set 1 K and OPc (also the strongSwan eap-aka-3gpp example secret)
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
IMSI1=001010123456789   # plain EAP-AKA
IMSI2=001010123456790   # EAP-AKA' (AMF separation bit set)
IMSI3=001010123456791   # strongSwan eap-aka-3gpp profile: AMF 8000, time-based SQN
IMSI4=001010123456792   # used by the hlr_auc_gw oracle checks
IMSI5=001010123456793   # strongSwan profile, USIM already close to the time-based SQN
nai() { printf '%s%s@nai.epc.mnc001.mcc001.3gppnetwork.org' "$1" "$2"; }
# strongSwan eap-aka-3gpp: SQN = 4 octets of wall-clock seconds || 2 octets of sub-seconds
NOW=$(date +%s)
SS_SQN=$(printf '%08x0000' "$NOW")
# a USIM that accepted a strongSwan SQN ten seconds ago
SS_SQN_MS=$(printf '0x%08x0000' "$((NOW - 10))")

cat > "$D/milenage_db" <<EOT
$IMSI1 $K $OPC 8000 000000000020
$IMSI2 $K $OPC 8000 000000000020
$IMSI3 $K $OPC 8000 $SS_SQN
$IMSI4 $K $OPC 8000 000000000020
$IMSI5 $K $OPC 8000 $SS_SQN
EOT
"$HLR" -s "$D/hlr.sock" -m "$D/milenage_db" > "$D/hlr.log" 2>&1 &
GPID=$!
printf '"0"*\tAKA\n"6"*\tAKA'"'"'\n' > "$D/eap_user"
echo "127.0.0.1/32 testing123" > "$D/radius_clients"
cat > "$D/hostapd.conf" <<EOT
driver=none
interface=aaa0
logger_stdout=-1
logger_stdout_level=2
eap_server=1
eap_user_file=$D/eap_user
eap_sim_db=unix:$D/hlr.sock
radius_server_clients=$D/radius_clients
radius_server_auth_port=1812
EOT
hostapd "$D/hostapd.conf" > "$D/hostapd.log" 2>&1 &
HPID=$!
# a second server offering protected result indications (RFC 4187 cl. 6.2) on port 1814
sed -e 's/^interface=aaa0/interface=aaa1/' -e 's/^radius_server_auth_port=1812/radius_server_auth_port=1814/' \
	"$D/hostapd.conf" > "$D/hostapd-ri.conf"
echo "eap_sim_aka_result_ind=1" >> "$D/hostapd-ri.conf"
hostapd "$D/hostapd-ri.conf" > "$D/hostapd-ri.log" 2>&1 &
HPID2=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -S "$D/hlr.sock" ] && grep -q "RADIUS\|ENABLED\|interface state" "$D/hostapd.log" 2>/dev/null && break
	sleep 0.3
done
sleep 0.5

n=0 fail=0
check() {  # check "name" expected_exit command...
	name=$1 want=$2
	shift 2
	n=$((n + 1))
	out=$("$@" 2>"$D/client.err")
	got=$?
	if [ "$got" -eq "$want" ]; then
		echo "ok $n - $name # $(echo "$out" | tr '\n' ' ')"
	else
		echo "not ok $n - $name (exit $got, wanted $want) $(echo "$out" | tr '\n' ' ')"
		sed 's/^/# /' "$D/client.err" | tail -20
		fail=$((fail + 1))
	fi
}

echo "1..9"
check "dsmip6 USIM verifies hlr_auc_gw Milenage vectors, AUTS resynchronises the HLR" 0 \
	"$CLIENT" hlr "$D/hlr.sock" $IMSI4 $K $OPC 0 5
check "EAP-AKA via RADIUS to hostapd: success, MSK = MS-MPPE keys" 0 \
	"$CLIENT" radius 127.0.0.1:1812 testing123 "$(nai 0 $IMSI1)" internet $K $OPC 0
check "EAP-AKA via RADIUS: SQN out of range -> AUTS -> success" 0 \
	"$CLIENT" radius 127.0.0.1:1812 testing123 "$(nai 0 $IMSI1)" internet $K $OPC 0x1000000
check "EAP-AKA via RADIUS: wrong K -> Authentication-Reject -> Access-Reject" 2 \
	"$CLIENT" radius 127.0.0.1:1812 testing123 "$(nai 0 $IMSI1)" internet \
	565b5ce8b199b49faa5f0a2ee238a6bc $OPC 0
check "EAP-AKA' via RADIUS to hostapd: success, MSK = MS-MPPE keys" 0 \
	"$CLIENT" radius 127.0.0.1:1812 testing123 "$(nai 6 $IMSI2)" internet $K $OPC 0 prime
# a new USIM (SQN_MS 0) is more than Delta = 2^28 behind a time-based SQN: it must answer with
# AUTS (TS 33.102 C.2.2) and succeed after resynchronisation
check "strongSwan eap-aka-3gpp profile (AMF 8000, time-based SQN), new USIM: AUTS then success" 0 \
	"$CLIENT" radius 127.0.0.1:1812 testing123 "$(nai 0 $IMSI3)" internet $K $OPC 0 expect-resync
check "strongSwan eap-aka-3gpp profile, USIM in step with the time-based SQN: direct success" 0 \
	"$CLIENT" radius 127.0.0.1:1812 testing123 "$(nai 0 $IMSI5)" internet $K $OPC "$SS_SQN_MS" \
	expect-direct
check "EAP-AKA with protected result indications (hostapd eap_sim_aka_result_ind=1)" 0 \
	"$CLIENT" radius 127.0.0.1:1814 testing123 "$(nai 0 $IMSI1)" internet $K $OPC 0 result-ind
check "wrong RADIUS secret -> no valid answer -> failure" 2 \
	"$CLIENT" radius 127.0.0.1:1812 wrongsecret "$(nai 0 $IMSI1)" internet $K $OPC 0
[ "$fail" -eq 0 ] || { echo "# hostapd log:"; tail -30 "$D/hostapd.log" | sed 's/^/# /'; }
exit $((fail > 0))
