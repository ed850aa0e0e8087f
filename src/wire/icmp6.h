/* ICMPv6 (RFC 4443) as far as a Mobile IPv6 node needs it: recognising Parameter Problem
 * messages (type 4) and what they complain about, so that a daemon can ignore the complaints a
 * kernel without Mobile IPv6 support sends about the Home Address option (code 2, unrecognised
 * option) or the Type 2 Routing Header (code 0, pointer at the Routing Type), and building a
 * Parameter Problem (RFC 6275 cl. 9.2: bad MH Header Len, pointer 1 into the MH). */
#ifndef DSMIP6_WIRE_ICMP6_H
#define DSMIP6_WIRE_ICMP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { DS_ICMP6_PARAM_PROB = 4 };
/* Parameter Problem codes (RFC 4443 cl. 3.4). */
enum { DS_ICMP6_PP_HEADER = 0, DS_ICMP6_PP_NEXTHDR = 1, DS_ICMP6_PP_OPTION = 2 };
/* Largest ICMPv6 error packet: the invoking packet is cut to fit the IPv6 minimum MTU. */
enum { DS_ICMP6_ERR_MAX = 1280 };

typedef struct ds_icmp6_pp {
	uint8_t type;                /* on DS_E_UNKNOWN_TYPE, the ICMPv6 type received */
	uint8_t code;
	uint32_t pointer;            /* octet offset into the invoking packet */
	const uint8_t *invoking;     /* the invoking packet (possibly cut), borrowed from input */
	size_t invoking_len;
	bool inv_src_ok;             /* the invoking IPv6 header was complete: */
	uint8_t inv_src[16];         /* its source and destination */
	uint8_t inv_dst[16];
	bool about_hao;              /* pointer names a Home Address option type octet */
	bool about_rh2;              /* pointer names the Routing Type of a Type 2 RH */
} ds_icmp6_pp;

/* Decode an ICMPv6 message of len octets (the upper layer of an IPv6 packet). With src/dst
 * non-NULL the checksum is verified first (DS_E_CHECKSUM). Not a Parameter Problem:
 * DS_E_UNKNOWN_TYPE (pp->type set). Shorter than 8 octets: DS_E_TRUNCATED. The invoking packet
 * is walked leniently (it may be cut) to find the HAO and RH2 positions. */
int ds_icmp6_pp_decode(const uint8_t *p, size_t len, const uint8_t *src, const uint8_t *dst,
		       ds_icmp6_pp *pp);

/* Build the ICMPv6 part (type 4, code, pointer, invoking packet cut so that a 40-octet IPv6
 * header plus the message fit DS_ICMP6_ERR_MAX) with its checksum for src/dst. */
int ds_icmp6_pp_encode(uint8_t code, uint32_t pointer, const uint8_t *invoking, size_t inv_len,
		       const uint8_t src[16], const uint8_t dst[16], uint8_t *out, size_t cap,
		       size_t *out_len);

#endif
