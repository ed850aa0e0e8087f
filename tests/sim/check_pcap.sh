#!/bin/sh
# Decode the pcaps given with tshark, RFC 5555 UDP 4191 payloads as IPv6, and fail when any
# packet is malformed or has a bad IPv4/UDP checksum. Exit 77 (skip) when tshark is absent.
# The files are concatenated first (mergecap -a) so tshark starts few times. UDP 4191 carries
# an inner IPv4 packet as well (RFC 5555 cl. 4.1, no TLV header on S2c): a frame counts as
# malformed only when it is bad both with the 4191 payload decoded as IPv6 and as IPv4.
# Usage: check_pcap.sh file.pcap...
command -v tshark >/dev/null 2>&1 || { echo "tshark not installed"; exit 77; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
set --  $(for f in "$@"; do [ -s "$f" ] && [ "$(wc -c <"$f")" -gt 24 ] && echo "$f"; done)
[ $# -eq 0 ] && { echo "no packets"; exit 0; }
if [ $# -gt 1 ] && command -v mergecap >/dev/null 2>&1; then
	mergecap -a -w "$tmp/all.pcap" "$@" || exit 2
	all="$tmp/all.pcap"
else
	all=$1
fi
filter='_ws.malformed || ip.checksum.status == "Bad" || udp.checksum.status == "Bad"'
for as in ipv6 ip; do
	tshark -n -r "$all" -d udp.port==4191,$as -o ip.check_checksum:TRUE \
		-o udp.check_checksum:TRUE -Y "$filter" -T fields -e frame.number \
		>"$tmp/bad.$as" 2>"$tmp/err.txt" || { cat "$tmp/err.txt"; exit 2; }
done
sort -n "$tmp/bad.ipv6" >"$tmp/a"; sort -n "$tmp/bad.ip" >"$tmp/b"
comm -12 "$tmp/a" "$tmp/b" >"$tmp/bad.txt"
n=$(wc -l <"$tmp/bad.txt")
if [ "$n" -ne 0 ]; then
	echo "$n malformed packets in $*"
	for f in $(head -5 "$tmp/bad.txt"); do
		tshark -n -r "$all" -d udp.port==4191,ipv6 -Y "frame.number == $f" 2>/dev/null
	done
	exit 1
fi
echo "no malformed packet in $# pcap files"
exit 0
