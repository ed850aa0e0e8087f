/* IPv6 header (RFC 8200 cl. 3) and the extension headers Mobile IPv6 uses: a Destination
 * Options header carrying the Home Address option (RFC 6275 cl. 6.3) and the Type 2 Routing
 * Header (RFC 6275 cl. 6.4). A bounded walker parses a packet down to its upper layer; a builder
 * assembles IPv6 [/ RH2] [/ DO(HAO)] / upper layer with the right Next Header chain. */
#ifndef DSMIP6_WIRE_IP6_H
#define DSMIP6_WIRE_IP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Next Header / protocol numbers (IANA). */
enum {
	DS_NH_HOPOPTS = 0, DS_NH_ICMP = 1, DS_NH_IPIP = 4, DS_NH_TCP = 6, DS_NH_UDP = 17,
	DS_NH_IPV6 = 41, DS_NH_ROUTING = 43, DS_NH_FRAGMENT = 44, DS_NH_ESP = 50, DS_NH_AH = 51,
	DS_NH_ICMPV6 = 58, DS_NH_NONE = 59, DS_NH_DSTOPTS = 60, DS_NH_MH = 135,
};

enum {
	DS_IPV6_HLEN = 40,
	DS_IPV6_HAO_TYPE = 201,      /* Home Address option (0xC9), RFC 6275 cl. 6.3 */
	DS_IPV6_HAO_DO_LEN = 24,     /* DO header with PadN(4) + HAO: 8n+6 alignment */
	DS_IPV6_RH2_LEN = 24,        /* Type 2 RH: Hdr Ext Len 2 (RFC 6275 cl. 6.4) */
	DS_IPV6_MAX_EXT = 16,        /* extension headers walked before DS_E_LOOP */
};

typedef struct ds_ipv6_hdr {
	uint8_t tclass;
	uint32_t flow;               /* 20 bits */
	uint16_t plen;               /* Payload Length */
	uint8_t next;                /* Next Header */
	uint8_t hlim;
	uint8_t src[16];
	uint8_t dst[16];
} ds_ipv6_hdr;

/* Decode the 40-octet fixed header: DS_E_TRUNCATED, DS_E_VERSION. No length cross-check. */
int ds_ipv6_hdr_decode(const uint8_t *p, size_t len, ds_ipv6_hdr *h);
/* Encode the fixed header (40 octets) at w. */
void ds_ipv6_hdr_encode(ds_wr *w, const ds_ipv6_hdr *h);

/* What the walker found in a packet. */
typedef struct ds_ipv6_pkt {
	ds_ipv6_hdr ip;
	bool has_hao;
	uint8_t hao[16];             /* Home Address option value */
	uint16_t hao_off;            /* offset of the HAO option type octet in the packet */
	bool has_rh2;
	uint8_t rh2_hoa[16];         /* Type 2 RH Home Address */
	uint8_t rh2_segleft;         /* always 1 when accepted */
	uint16_t rh2_off;            /* offset of the Routing Type octet in the packet */
	uint8_t proto;               /* upper-layer protocol (50, 135, 41, 4, 58, 17, 59 ...) */
	size_t off;                  /* upper-layer offset in the packet */
	size_t len;                  /* upper-layer length (Payload Length minus extension headers) */
	uint8_t n_ext;               /* extension headers walked */
	uint16_t err_off;            /* on error: offset of the offending octet (ICMPv6 pointer) */
} ds_ipv6_pkt;

/* Walk an IPv6 packet of len octets (trailing octets beyond Payload Length, e.g. link padding,
 * are ignored). Hop-by-Hop (first only), Destination Options and Routing headers are parsed;
 * the walk stops at the first other Next Header, which becomes `proto`. Checks:
 *  - DS_E_TRUNCATED / DS_E_VERSION on the fixed header; DS_E_OVERRUN when Payload Length
 *    exceeds len or an extension header exceeds Payload Length; DS_E_UNSUPPORTED for a jumbo
 *    (Payload Length 0 with Hop-by-Hop);
 *  - options (RFC 8200 cl. 4.2): Pad1/PadN (content ignored), HAO length 16 (DS_E_BADLEN), one
 *    HAO per packet (DS_E_DUPLICATE), HAO only in a Destination Options header, HAO address a
 *    unicast routable one (RFC 6275 cl. 9.3.1: not ::, ::1, multicast or link-local;
 *    DS_E_RESERVED, err_off at the address); an unknown
 *    option whose action bits are not 00 gives DS_E_UNKNOWN_TYPE (err_off = the option), an
 *    option overrunning its header DS_E_OVERRUN;
 *  - Routing header (RFC 8200 cl. 4.4, RFC 6275 cl. 6.4): Type 2 needs Hdr Ext Len 2 and
 *    Segments Left 1 (DS_E_BADLEN / DS_E_RESERVED), one per packet (DS_E_DUPLICATE); another
 *    type with Segments Left 0 is skipped, with Segments Left > 0 DS_E_UNSUPPORTED;
 *  - Hop-by-Hop anywhere but first: DS_E_NEXTHDR (RFC 8200 cl. 4.1);
 *  - a Fragment header: DS_E_FRAGMENT (no reassembly on S2c signalling);
 *  - more than DS_IPV6_MAX_EXT extension headers: DS_E_LOOP. */
int ds_ipv6_walk(const uint8_t *p, size_t len, ds_ipv6_pkt *out);

/* Addresses for upper-layer checksums of a walked packet (RFC 6275 cl. 6.1.1 / 6.3 / 6.4): the
 * HAO value replaces the source, the RH2 Home Address the destination. */
static inline const uint8_t *ds_ipv6_pseudo_src(const ds_ipv6_pkt *k)
{
	return k->has_hao ? k->hao : k->ip.src;
}
static inline const uint8_t *ds_ipv6_pseudo_dst(const ds_ipv6_pkt *k)
{
	return k->has_rh2 ? k->rh2_hoa : k->ip.dst;
}

/* What the builder assembles. */
typedef struct ds_ipv6_spec {
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t hlim;                /* 0: 64 */
	uint8_t tclass;
	uint32_t flow;
	const uint8_t *hao;          /* non-NULL: Destination Options header with this HAO */
	const uint8_t *rh2_hoa;      /* non-NULL: Type 2 Routing Header with this Home Address */
	uint8_t proto;               /* upper-layer protocol */
	const uint8_t *payload;
	size_t payload_len;
	bool mh_csum;                /* proto 135: fill the MH checksum with the pseudo-header rule */
} ds_ipv6_spec;

/* Build IPv6 [/ RH2] [/ DO(PadN(4), HAO)] / payload (order: RFC 6275 cl. 6.3, the HAO follows
 * the routing header and precedes ESP/AH/fragment). Errors: DS_E_NOSPACE, DS_E_PARAM (payload
 * over 65535 - headers, mh_csum with a payload that is not an MH, or a HAO address that is not
 * unicast routable). */
int ds_ipv6_build(const ds_ipv6_spec *s, uint8_t *out, size_t cap, size_t *out_len);

/* Write just a Destination Options header with the HAO (24 octets) / a Type 2 RH (24 octets). */
void ds_ipv6_hao_encode(ds_wr *w, uint8_t next, const uint8_t hoa[16]);
void ds_ipv6_rh2_encode(ds_wr *w, uint8_t next, const uint8_t hoa[16]);

#endif
