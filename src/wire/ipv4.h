/* IPv4 header (RFC 791), UDP (RFC 768) over IPv4 or IPv6, and the outer headers DSMIPv6 puts
 * around packets on an IPv4 access (RFC 5555 cl. 4.1): UDP port 4191 carrying an inner IPv6 or
 * IPv4 packet directly (no TLV header on S2c: the version nibble tells which), IPv6-in-IPv4
 * (protocol 41) and IPv4-in-IPv4 (protocol 4). */
#ifndef DSMIP6_WIRE_IPV4_H
#define DSMIP6_WIRE_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

enum {
	DS_IPV4_HLEN = 20,           /* without options */
	DS_UDP_HLEN = 8,
	DS_UDP_PORT_DSMIP = 4191,    /* RFC 5555 cl. 4.1 (IANA "dsmipv6") */
	DS_IPV4_DF = 0x4000, DS_IPV4_MF = 0x2000, DS_IPV4_OFFMASK = 0x1fff,
};

typedef struct ds_ipv4_hdr {
	uint8_t ihl;                 /* header length in octets (20..60); encoder writes 20 */
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag;               /* flags (DF, MF) and fragment offset */
	uint8_t ttl;
	uint8_t proto;
	uint8_t src[4];
	uint8_t dst[4];
} ds_ipv4_hdr;

/* Decode and check an IPv4 header at the start of p (len octets): DS_E_TRUNCATED, DS_E_VERSION
 * (not 4), DS_E_BADLEN (IHL < 5, Total Length < IHL), DS_E_OVERRUN (Total Length > len),
 * DS_E_CHECKSUM (header checksum), DS_E_FRAGMENT (MF set or offset != 0: S2c tunnels carry whole
 * packets; the host reassembles first). Octets after Total Length are ignored. */
int ds_ipv4_hdr_decode(const uint8_t *p, size_t len, ds_ipv4_hdr *h);
/* Encode a 20-octet header with its checksum; h->tot_len is written as given. */
void ds_ipv4_hdr_encode(ds_wr *w, const ds_ipv4_hdr *h);

typedef struct ds_udp_hdr {
	uint16_t sport, dport, len, csum;
} ds_udp_hdr;

/* Decode a UDP datagram of exactly len octets (the IP payload) and check: DS_E_TRUNCATED,
 * DS_E_BADLEN (UDP Length < 8 or != len), checksum (DS_E_CHECKSUM). Over IPv4 a zero checksum
 * means none (RFC 768); over IPv6 it is invalid (RFC 8200 cl. 8.1: DS_E_CHECKSUM). */
int ds_udp4_decode(const uint8_t *p, size_t len, const uint8_t src[4], const uint8_t dst[4],
		   ds_udp_hdr *u);
int ds_udp6_decode(const uint8_t *p, size_t len, const uint8_t src[16], const uint8_t dst[16],
		   ds_udp_hdr *u);
/* Write a UDP header + payload with its checksum (0 result sent as 0xffff). */
int ds_udp4_encode(ds_wr *w, const uint8_t src[4], const uint8_t dst[4], uint16_t sport,
		   uint16_t dport, const uint8_t *payload, size_t plen);
int ds_udp6_encode(ds_wr *w, const uint8_t src[16], const uint8_t dst[16], uint16_t sport,
		   uint16_t dport, const uint8_t *payload, size_t plen);

/* Version of an inner packet (RFC 5555 cl. 4.1 with T = 0): 4 or 6 when the first octet's
 * nibble says so and the packet is at least one header long, else DS_E_VERSION /
 * DS_E_TRUNCATED. */
int ds_inner_version(const uint8_t *p, size_t len);

/* A whole IPv4 packet parsed down to what DSMIPv6 carries inside it. */
typedef struct ds_ipv4_pkt {
	ds_ipv4_hdr ip;
	uint8_t proto;               /* 17, 41, 4, 50 ... */
	size_t off, len;             /* IP payload (after the IPv4 header) */
	bool udp;                    /* proto 17 and the UDP header checked */
	ds_udp_hdr uh;
	size_t inner_off, inner_len; /* inner packet: proto 41/4, or UDP with port 4191 */
	uint8_t inner_ver;           /* 4 or 6; 0 when there is no inner packet */
} ds_ipv4_pkt;

/* Parse an IPv4 packet. For UDP with either port 4191, the payload must be an inner IPv4/IPv6
 * packet (ds_inner_version); for protocols 41 and 4 the inner version must match the protocol
 * (DS_E_VERSION). Other protocols: only ip/proto/off/len are filled. */
int ds_ipv4_walk(const uint8_t *p, size_t len, ds_ipv4_pkt *out);

/* Outer header builders. ttl 0 means 64. All: DS_E_NOSPACE, DS_E_PARAM (too long). */
/* IPv4 / UDP(sport, dport) / inner packet (RFC 5555 cl. 4.1, no TLV header). */
int ds_ipv4_udp_build(const uint8_t src[4], const uint8_t dst[4], uint16_t sport, uint16_t dport,
		      uint8_t ttl, const uint8_t *payload, size_t plen, uint8_t *out, size_t cap,
		      size_t *out_len);
/* IPv4 / inner packet, protocol 41 for an inner IPv6 packet or 4 for an inner IPv4 packet
 * (chosen from the inner version nibble; DS_E_VERSION otherwise). */
int ds_ipv4_encap_build(const uint8_t src[4], const uint8_t dst[4], uint8_t ttl,
			const uint8_t *inner, size_t ilen, uint8_t *out, size_t cap,
			size_t *out_len);

#endif
