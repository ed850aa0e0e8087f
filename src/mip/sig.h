/* Assembly and parsing of the IP packets that carry Mobility Header signalling and tunnelled
 * data on S2c (RFC 6275 cl. 6.3/6.4/11.3, RFC 4877 cl. 4, RFC 5555 cl. 4, TS 24.303 Annex A):
 *
 *   UE -> HA, IPv6 CoA: IPv6(CoA -> HA) / DO[PadN, HAO = HoA] / ESP(transport) / MH
 *   HA -> UE, IPv6 CoA: IPv6(HA -> CoA) / RH2[HoA] / ESP / MH
 *   over IPv4 (UDP 4191 payload): IPv6(HoA <-> HA) / ESP / MH  (no HAO, no RH2)
 *   from the home link: IPv6(HoA <-> HA) / ESP / MH
 *
 * ESP transport mode protects the MH only; its selectors use the HoA, so the receiver moves the
 * HoA of the HAO (or RH2) into place before the SA selector check (RFC 4877 cl. 4.4). */
#ifndef DSMIP6_MIP_SIG_H
#define DSMIP6_MIP_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "ipsec/esp.h"
#include "mip/mh.h"

enum { DS_IPPROTO_IPV4 = 4, DS_IPPROTO_UDP = 17, DS_IPPROTO_IPV6 = 41, DS_IPPROTO_ROUTING = 43,
       DS_IPPROTO_DSTOPTS = 60, DS_IPPROTO_HOPOPTS = 0 };
enum { DS_HAO_OPT_TYPE = 201 };   /* Home Address option (RFC 6275 cl. 6.3) */
#define DS_DSMIP_UDP_PORT 4191    /* RFC 5555 cl. 4.1 */
#define DS_IP6_HDR_LEN 40
#define DS_IP4_HDR_LEN 20

/* A parsed IPv6 packet up to its upper layer. */
typedef struct ds_ip6_view {
	uint8_t src[16], dst[16];   /* outer header */
	bool has_hao;
	uint8_t hao[16];            /* Home Address option value */
	bool has_rh2;
	uint8_t rh2[16];            /* Type 2 Routing Header address (segments left was 1) */
	uint8_t proto;              /* upper-layer protocol (50 ESP, 135 MH, 41, 4, ...) */
	size_t off;                 /* offset of the upper layer */
	size_t len;                 /* length of the upper layer (Payload Length bounded) */
	uint8_t hop_limit;
} ds_ip6_view;

/* Parse an IPv6 packet: version, payload length, Hop-by-Hop / Destination Options (HAO
 * recognised, PadN checked, unknown options per their action bits: skip or drop) and a Type 2
 * Routing Header (segments left must be 1: RFC 6275 cl. 9.3.1 / 11.3.3); other routing types
 * with segments left > 0 are refused. DS_OK or a ds_err. At most 8 extension headers. */
int ds_ip6_parse(const uint8_t *p, size_t len, ds_ip6_view *v);

/* A parsed IPv4 header (options skipped). */
typedef struct ds_ip4_view {
	uint8_t src[4], dst[4];
	uint8_t proto;
	size_t off, len;
} ds_ip4_view;
int ds_ip4_parse(const uint8_t *p, size_t len, ds_ip4_view *v);

/* Build a signalling packet: IPv6(src -> dst) [/ DO HAO = hao] [/ RH2 = rh2] / ESP(sa, MH).
 * hao and rh2 may be NULL; sa NULL sends the MH without ESP (never used for BU/BA/BRI/BRA; only
 * for Binding Errors). */
int ds_sig_build(const uint8_t src[16], const uint8_t dst[16], const uint8_t *hao,
		 const uint8_t *rh2, ds_esp_sa *sa, const uint8_t *mh, size_t mh_len, uint8_t *out,
		 size_t cap, size_t *out_len);

/* Encapsulation helpers for the data plane (RFC 2473 style IP-in-IP, RFC 5555 cl. 4.4). */
/* Outer IPv6 header (next header 41 or 4 from the inner version) + inner packet. */
int ds_encap6(const uint8_t src[16], const uint8_t dst[16], const uint8_t *inner, size_t len,
	      uint8_t *out, size_t cap, size_t *out_len);
/* Outer IPv4 header (protocol 41 or 4 from the inner version, DF clear) + inner packet. */
int ds_encap4(const uint8_t src[4], const uint8_t dst[4], const uint8_t *inner, size_t len,
	      uint8_t *out, size_t cap, size_t *out_len);
/* Inner packet version (4 or 6) and its source / destination; DS_E_* when malformed. */
int ds_inner_addrs(const uint8_t *p, size_t len, ds_addr *src, ds_addr *dst);

#endif
