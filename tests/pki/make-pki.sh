#!/bin/sh
# Generate a throw-away test PKI with the openssl command line tool into DIR (created if
# needed). Private keys are generated on every run and must never be committed.
#
#   ca.pem / ca.key            test root CA (ECDSA P-256), the operator root the UE trusts
#   ha-ecdsa.pem / .key        HA certificate, ECDSA P-256, signed by the CA
#   ha-rsa.pem / .key          HA certificate, RSA 2048, signed by the CA
#   ha-p384.pem / .key         HA certificate, ECDSA P-384, signed by the CA
#   other-ca.pem / .key        an unrelated CA
#   rogue-ha.pem / .key        a HA certificate signed by the unrelated CA (must be rejected)
#   sub-ca.pem / .key          an intermediate CA under ca
#   ha-sub.pem / .key          HA certificate, ECDSA P-256, signed by sub-ca (chain of three)
#
# HA certificates carry subjectAltName DNS:ha.example.net, IP:2001:db8:1::1, IP:192.0.2.1 and
# are valid for 10 years from now. Usage: make-pki.sh DIR
set -eu
dir=${1:?usage: make-pki.sh DIR}
mkdir -p "$dir"
cd "$dir"
umask 077

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$2" -out "$1" 2>/dev/null; }

make_ca() { # name cn
	ec_key "$1.key" P-256
	openssl req -new -x509 -key "$1.key" -out "$1.pem" -days 3650 -sha256 -subj "/O=dsmip6 test/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		-addext subjectKeyIdentifier=hash 2>/dev/null
}

make_sub_ca() { # name parent cn
	ec_key "$1.key" P-256
	printf '%s\n' basicConstraints=critical,CA:TRUE,pathlen:0 keyUsage=critical,keyCertSign,cRLSign \
		subjectKeyIdentifier=hash authorityKeyIdentifier=keyid >"$1.ext"
	openssl req -new -key "$1.key" -out "$1.csr" -subj "/O=dsmip6 test/CN=$3" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" \
		-days 3650 -sha256 -extfile "$1.ext" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

make_leaf() { # name ca cn
	cat >"$1.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
subjectAltName=DNS:ha.example.net,IP:2001:db8:1::1,IP:192.0.2.1
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
	openssl req -new -key "$1.key" -out "$1.csr" -subj "/O=dsmip6 test/CN=$3" 2>/dev/null
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" \
		-days 3650 -sha256 -extfile "$1.ext" 2>/dev/null
	rm -f "$1.csr" "$1.ext"
}

make_ca ca "dsmip6 test root"
ec_key ha-ecdsa.key P-256
make_leaf ha-ecdsa ca ha.example.net
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ha-rsa.key 2>/dev/null
make_leaf ha-rsa ca ha.example.net
ec_key ha-p384.key P-384
make_leaf ha-p384 ca ha.example.net
make_sub_ca sub-ca ca "dsmip6 test intermediate"
ec_key ha-sub.key P-256
make_leaf ha-sub sub-ca ha.example.net
make_ca other-ca "unrelated test root"
ec_key rogue-ha.key P-256
make_leaf rogue-ha other-ca ha.example.net
rm -f ./*.srl
chmod 644 ./*.pem
echo "test PKI in $dir"
