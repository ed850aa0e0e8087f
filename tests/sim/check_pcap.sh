#!/bin/sh
# Decode the pcaps given with tshark, RFC 5555 UDP 4191 payloads as IPv6, and fail when any
# packet is malformed or has a bad IPv4/UDP checksum. Exit 77 (skip) when tshark is absent.
# The files are concatenated first (mergecap -a) so tshark starts once.
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
tshark -n -r "$all" -d udp.port==4191,ipv6 -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
	-Y '_ws.malformed || ip.checksum.status == "Bad" || udp.checksum.status == "Bad"' \
	>"$tmp/bad.txt" 2>"$tmp/err.txt" || { cat "$tmp/err.txt"; exit 2; }
n=$(wc -l <"$tmp/bad.txt")
if [ "$n" -ne 0 ]; then
	echo "$n malformed packets in $*"
	head -5 "$tmp/bad.txt"
	exit 1
fi
echo "no malformed packet in $# pcap files"
exit 0
