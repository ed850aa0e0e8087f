# shellcheck shell=bash
# Packet capture and independent decoding with Wireshark's tools (dumpcap, tshark).
# Needs common.sh and netns.sh sourced first.
#
# Keys: IPsec daemons (charon's save-keys plugin, dsmip6 with keylog_dir) write two Wireshark UAT
# files, "ikev2_decryption_table" and "esp_sa". ds_wireshark_profile turns such a folder into a
# Wireshark configuration folder, so that
#     WIRESHARK_CONFIG_DIR=<dir> wireshark capture.pcapng     (or tshark)
# decrypts IKEv2 and ESP with no further setting.

# Decode-as rules every dsmip6 capture needs: RFC 5555 UDP 4191 carries an IPv6 or IPv4 packet.
DS_TSHARK_DECODE=(-d udp.port==4191,ipv6)

# ds_capture_start ROLE OUT.pcapng IF...: start dumpcap inside the namespace of ROLE on the
# given interfaces; its pid goes to OUT.pid. Returns once dumpcap is capturing.
ds_capture_start() {
	local role=$1 out=$2; shift 2
	local args=() i
	for i in "$@"; do args+=(-i "$i"); done
	rm -f "$out" "$out.pid"
	ip netns exec "$(ds_ns "$role")" dumpcap -q -n "${args[@]}" -w "$out" >"$out.log" 2>&1 &
	echo $! >"$out.pid"
	ds_on_exit "ds_capture_stop '$out'"
	# dumpcap writes the pcapng section and interface blocks before the first packet.
	ds_wait_for 10 test -s "$out" || { cat "$out.log" >&2; return 1; }
}

# ds_capture_stop OUT.pcapng: stop dumpcap cleanly (SIGINT flushes the file). Idempotent.
ds_capture_stop() {
	local out=$1 pid
	[ -f "$out.pid" ] || return 0
	pid=$(cat "$out.pid")
	rm -f "$out.pid"
	kill -INT "$pid" 2>/dev/null || return 0
	ds_wait_for 10 eval "! ds_pid_alive $pid" || kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

# ds_wireshark_profile KEYDIR CONFDIR: a Wireshark configuration folder with the keys found in
# KEYDIR (the two UAT files, and/or *.log files mixing both kinds of lines, as the dsmip6
# daemons write them) and ESP decryption switched on. Wireshark 4.0 names the GCM algorithm with
# its ICV length; charon's save-keys writes a shorter name, which is rewritten here.
ds_wireshark_profile() {
	local keys=$1 conf=$2 f
	mkdir -p "$conf"
	: >"$conf/ikev2_decryption_table"
	: >"$conf/esp_sa"
	for f in "$keys/ikev2_decryption_table" "$keys/esp_sa" "$keys"/*.log; do
		[ -f "$f" ] || continue
		# esp_sa lines start with the address family ("IPv4", "IPv6", "Any IPv4", ...).
		grep -E '^"(IPv|Any)' "$f" |
			sed -e 's/"AES-GCM \[RFC4106\]"/"AES-GCM with 16 octet ICV [RFC4106]"/' >>"$conf/esp_sa" || true
		grep -vE '^"(IPv|Any)|^#|^$' "$f" >>"$conf/ikev2_decryption_table" || true
	done
	cat >"$conf/preferences" <<-PREFS
		# Wireshark preferences for dsmip6 captures
		esp.enable_encryption_decode: TRUE
		esp.do_esp_sequence_analysis: TRUE
	PREFS
	# RFC 5555 UDP port 4191 carries IP packets.
	printf 'decode_as_entry: udp.port,4191,(none),IPv6\n' >"$conf/decode_as_entries"
}

# ds_tshark PCAP [tshark args...]: tshark with the dsmip6 decode rules and, when
# DS_WIRESHARK_CONF names a folder made by ds_wireshark_profile, its keys.
ds_tshark() {
	local pcap=$1; shift
	if [ -n "${DS_WIRESHARK_CONF:-}" ]; then
		WIRESHARK_CONFIG_DIR=$DS_WIRESHARK_CONF tshark -n -r "$pcap" "${DS_TSHARK_DECODE[@]}" "$@" 2>/dev/null
	else
		tshark -n -r "$pcap" "${DS_TSHARK_DECODE[@]}" "$@" 2>/dev/null
	fi
}

# ds_tshark_fields PCAP FILTER FIELD...: one line per matching packet, fields separated by '|'.
ds_tshark_fields() {
	local pcap=$1 filter=$2; shift 2
	local args=() f
	for f in "$@"; do args+=(-e "$f"); done
	ds_tshark "$pcap" -Y "$filter" -T fields -E separator='|' -E occurrence=f "${args[@]}"
}

# Mobility Header messages themselves, not the copies quoted inside ICMP errors. (Wireshark's
# protocol is "mipv6", its fields "mip6.*".)
DS_MH_FILTER="mipv6 and not icmpv6 and not icmp"

# ds_mh_sequence PCAP [extra filter]: the Mobility Header message sequence, one line per message:
# "time|outer src|outer dst|MH type|BU seq|BA seq|BA status", with the MH type numbers of
# RFC 6275 cl. 6.1 (5 BU, 6 BA, 7 BE) and RFC 5846 cl. 6.1 (16 Binding Revocation: BRI/BRA).
ds_mh_sequence() {
	ds_tshark_fields "$1" "$DS_MH_FILTER${2:+ and ($2)}" frame.time_relative ipv6.src ipv6.dst \
		mip6.mhtype mip6.bu.seqnr mip6.ba.seqnr mip6.ba.status | sort -t'|' -k1,1g
}
