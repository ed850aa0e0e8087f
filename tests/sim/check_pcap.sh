#!/bin/sh
# Decode every pcap given with tshark, RFC 5555 UDP 4191 payloads as IPv6, and fail when any
# packet is malformed or has a bad IPv4/UDP checksum. Exit 77 (skip) when tshark is absent.
# Usage: check_pcap.sh file.pcap...
command -v tshark >/dev/null 2>&1 || { echo "tshark not installed"; exit 77; }
bad=0
for f in "$@"; do
	total=$(tshark -n -r "$f" -d udp.port==4191,ipv6 2>/dev/null | wc -l)
	n=$(tshark -n -r "$f" -d udp.port==4191,ipv6 -o ip.check_checksum:TRUE \
		-o udp.check_checksum:TRUE \
		-Y '_ws.malformed || ip.checksum.status == "Bad" || udp.checksum.status == "Bad"' \
		2>/dev/null | wc -l)
	if [ "$n" -ne 0 ]; then
		echo "$f: $n of $total packets malformed"
		tshark -n -r "$f" -d udp.port==4191,ipv6 -Y _ws.malformed 2>/dev/null | head -5
		bad=1
	else
		echo "$f: $total packets, none malformed"
	fi
done
exit $bad
