# shellcheck shell=bash
# strongSwan charon instances as reference IKEv2 peers inside the testbed's namespaces.
# Needs common.sh, netns.sh and dsmip6.sh (for the test PKI) sourced first, and the plugins
# built by tests/lib/peers.sh (eap-aka-3gpp: EAP-AKA with Milenage; save-keys: Wireshark keys).
#
# One instance = one folder D with strongswan.conf, swanctl.conf, run/ (bind-mounted on /run in
# a private mount namespace: charon's pid file path is fixed), keys/, charon.log and the swanctl
# credential sub-folders. Several instances coexist, one per network namespace. D must not be
# under /run (it would be hidden by the bind mount).

SS_PLUGINS="random nonce openssl aes sha1 sha2 hmac kdf fips-prf gmp curve25519 pem pkcs1 pkcs8 x509 pubkey kernel-libipsec kernel-netlink socket-default vici eap-identity eap-radius eap-aka eap-aka-3gpp save-keys attr updown"

# ss_setup DIR: strongswan.conf (one setting per line: strongSwan's parser reads a line to its end).
ss_setup() {
	local d=$1 sub
	mkdir -p "$d/run" "$d/keys"
	for sub in x509 x509ca x509aa x509ocsp x509crl x509ac pubkey private rsa ecdsa bliss pkcs8 pkcs12; do
		mkdir -p "$d/$sub"
	done
	cat >"$d/strongswan.conf" <<-CONF
		charon {
		  load_modular = no
		  load = $SS_PLUGINS
		  filelog {
		    f {
		      path = $d/charon.log
		      flush_line = yes
		      default = 1
		      ike = 2
		      cfg = 2
		    }
		  }
		  plugins {
		    kernel-libipsec {
		      allow_peer_ts = yes
		    }
		    socket-default {
		      fwmark = 0x42
		    }
		    kernel-netlink {
		      fwmark = !0x42
		    }
		    save-keys {
		      ike = yes
		      esp = yes
		      wireshark_keys = $d/keys
		    }
		    vici {
		      socket = unix://$d/charon.vici
		    }
		  }
		}
		swanctl {
		  socket = unix://$d/charon.vici
		}
	CONF
}

# ss_start ROLE DIR PLUGIN_DIR: run charon in the namespace of ROLE; returns when its control
# socket answers.
ss_start() {
	local role=$1 d=$2 p=$3
	ip netns exec "$(ds_ns "$role")" unshare -m sh -c "mount --bind '$d/run' /run && \
		LD_LIBRARY_PATH=/usr/lib/ipsec \
		LD_PRELOAD='$p/libstrongswan-eap-aka-3gpp.so $p/libstrongswan-save-keys.so' \
		STRONGSWAN_CONF='$d/strongswan.conf' exec /usr/lib/ipsec/charon" >"$d/charon.out" 2>&1 &
	echo $! >"$d/pid"
	ds_on_exit "kill \$(cat '$d/pid' 2>/dev/null) 2>/dev/null; true"
	ds_wait_for 15 test -S "$d/charon.vici" || { tail -n 20 "$d/charon.out" "$d/charon.log" >&2; return 1; }
}

ss_swanctl() { # ROLE DIR swanctl-args...
	local role=$1 d=$2; shift 2
	SWANCTL_DIR=$d ip netns exec "$(ds_ns "$role")" swanctl "$@" --uri "unix://$d/charon.vici"
}
ss_load() { ss_swanctl "$1" "$2" --load-all --noprompt --file "$2/swanctl.conf"; }
