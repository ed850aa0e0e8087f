/* IPv4 header (RFC 791 cl. 3.1), UDP (RFC 768) and the DSMIPv6 IPv4 tunnel formats
 * (RFC 5555 cl. 4.1). */
#include "wire/ipv4.h"

#include <string.h>

#include "core/csum.h"
#include "core/err.h"
#include "wire/ip6.h"

int ds_ipv4_hdr_decode(const uint8_t *p, size_t len, ds_ipv4_hdr *h)
{
	memset(h, 0, sizeof *h);
	if (!p || len < DS_IPV4_HLEN)
		return DS_E_TRUNCATED;
	if (p[0] >> 4 != 4)
		return DS_E_VERSION;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < DS_IPV4_HLEN)
		return DS_E_BADLEN;
	if (ihl > len)
		return DS_E_TRUNCATED;
	uint16_t tot = ds_get_u16(p + 2);
	if (tot < ihl)
		return DS_E_BADLEN;
	if (tot > len)
		return DS_E_OVERRUN;
	/* The header checksum covers the header, options included (RFC 791 cl. 3.1). */
	if (ds_csum_fold(ds_csum_add(0, p, ihl)) != 0)
		return DS_E_CHECKSUM;
	uint16_t frag = ds_get_u16(p + 6);
	if (frag & (DS_IPV4_MF | DS_IPV4_OFFMASK))
		return DS_E_FRAGMENT;
	h->ihl = (uint8_t)ihl;
	h->tos = p[1];
	h->tot_len = tot;
	h->id = ds_get_u16(p + 4);
	h->frag = frag;
	h->ttl = p[8];
	h->proto = p[9];
	memcpy(h->src, p + 12, 4);
	memcpy(h->dst, p + 16, 4);
	return DS_OK;
}

void ds_ipv4_hdr_encode(ds_wr *w, const ds_ipv4_hdr *h)
{
	uint8_t *p = ds_wr_reserve(w, DS_IPV4_HLEN);
	if (!p)
		return;
	p[0] = 0x45;                        /* version 4, IHL 5: no options */
	p[1] = h->tos;
	ds_put_u16(p + 2, h->tot_len);
	ds_put_u16(p + 4, h->id);
	ds_put_u16(p + 6, h->frag);
	p[8] = h->ttl;
	p[9] = h->proto;
	ds_put_u16(p + 10, 0);
	memcpy(p + 12, h->src, 4);
	memcpy(p + 16, h->dst, 4);
	ds_put_u16(p + 10, ds_csum_fold(ds_csum_add(0, p, DS_IPV4_HLEN)));
}

static int udp_fields(const uint8_t *p, size_t len, ds_udp_hdr *u)
{
	memset(u, 0, sizeof *u);
	if (!p || len < DS_UDP_HLEN)
		return DS_E_TRUNCATED;
	u->sport = ds_get_u16(p);
	u->dport = ds_get_u16(p + 2);
	u->len = ds_get_u16(p + 4);
	u->csum = ds_get_u16(p + 6);
	if (u->len > len)
		return DS_E_OVERRUN;
	/* UDP Length must cover the header and match the IP payload exactly. */
	if (u->len < DS_UDP_HLEN || u->len != len)
		return DS_E_BADLEN;
	return DS_OK;
}

int ds_udp4_decode(const uint8_t *p, size_t len, const uint8_t src[4], const uint8_t dst[4],
		   ds_udp_hdr *u)
{
	int rc = udp_fields(p, len, u);
	if (rc)
		return rc;
	/* RFC 768: an all-zero checksum means the sender computed none. */
	if (u->csum != 0 && ds_csum_ipv4(src, dst, DS_NH_UDP, p, len) != 0)
		return DS_E_CHECKSUM;
	return DS_OK;
}

int ds_udp6_decode(const uint8_t *p, size_t len, const uint8_t src[16], const uint8_t dst[16],
		   ds_udp_hdr *u)
{
	int rc = udp_fields(p, len, u);
	if (rc)
		return rc;
	/* RFC 8200 cl. 8.1: the checksum is mandatory over IPv6; zero is discarded. */
	if (u->csum == 0 || ds_csum_ipv6(src, dst, DS_NH_UDP, p, len) != 0)
		return DS_E_CHECKSUM;
	return DS_OK;
}

/* Write header + payload; the checksum field is left for the caller at the returned pointer. */
static uint8_t *udp_write(ds_wr *w, uint16_t sport, uint16_t dport, const uint8_t *payload,
			  size_t plen)
{
	if (plen > 65535 - DS_UDP_HLEN || (plen && !payload)) {
		w->err = true;
		return NULL;
	}
	size_t start = w->off;
	ds_wr_u16(w, sport);
	ds_wr_u16(w, dport);
	ds_wr_u16(w, (uint16_t)(DS_UDP_HLEN + plen));
	ds_wr_u16(w, 0);
	ds_wr_bytes(w, payload, plen);
	return w->err ? NULL : w->p + start;
}

int ds_udp4_encode(ds_wr *w, const uint8_t src[4], const uint8_t dst[4], uint16_t sport,
		   uint16_t dport, const uint8_t *payload, size_t plen)
{
	uint8_t *u = udp_write(w, sport, dport, payload, plen);
	if (!u)
		return DS_E_NOSPACE;
	uint16_t c = ds_csum_ipv4(src, dst, DS_NH_UDP, u, DS_UDP_HLEN + plen);
	ds_put_u16(u + 6, c ? c : 0xffff);  /* RFC 768: a computed zero is sent as all ones */
	return DS_OK;
}

int ds_udp6_encode(ds_wr *w, const uint8_t src[16], const uint8_t dst[16], uint16_t sport,
		   uint16_t dport, const uint8_t *payload, size_t plen)
{
	uint8_t *u = udp_write(w, sport, dport, payload, plen);
	if (!u)
		return DS_E_NOSPACE;
	uint16_t c = ds_csum_ipv6(src, dst, DS_NH_UDP, u, DS_UDP_HLEN + plen);
	ds_put_u16(u + 6, c ? c : 0xffff);
	return DS_OK;
}

int ds_inner_version(const uint8_t *p, size_t len)
{
	if (!p || len < 1)
		return DS_E_TRUNCATED;
	switch (p[0] >> 4) {
	case 6: return len >= DS_IPV6_HLEN ? 6 : DS_E_TRUNCATED;
	case 4: return len >= DS_IPV4_HLEN ? 4 : DS_E_TRUNCATED;
	default: return DS_E_VERSION;
	}
}

int ds_ipv4_walk(const uint8_t *p, size_t len, ds_ipv4_pkt *k)
{
	memset(k, 0, sizeof *k);
	int rc = ds_ipv4_hdr_decode(p, len, &k->ip);
	if (rc)
		return rc;
	k->proto = k->ip.proto;
	k->off = k->ip.ihl;
	k->len = (size_t)k->ip.tot_len - k->ip.ihl;
	const uint8_t *pl = p + k->off;
	int v;
	switch (k->proto) {
	case DS_NH_UDP:
		rc = ds_udp4_decode(pl, k->len, k->ip.src, k->ip.dst, &k->uh);
		if (rc)
			return rc;
		k->udp = true;
		if (k->uh.sport != DS_UDP_PORT_DSMIP && k->uh.dport != DS_UDP_PORT_DSMIP)
			return DS_OK;
		/* RFC 5555 cl. 4.1: the version nibble after the UDP header tells v4 from v6. */
		v = ds_inner_version(pl + DS_UDP_HLEN, k->len - DS_UDP_HLEN);
		if (v < 0)
			return v;
		k->inner_off = k->off + DS_UDP_HLEN;
		k->inner_len = k->len - DS_UDP_HLEN;
		k->inner_ver = (uint8_t)v;
		return DS_OK;
	case DS_NH_IPV6:
	case DS_NH_IPIP:
		v = ds_inner_version(pl, k->len);
		if (v < 0)
			return v;
		if (v != (k->proto == DS_NH_IPV6 ? 6 : 4))
			return DS_E_VERSION;
		k->inner_off = k->off;
		k->inner_len = k->len;
		k->inner_ver = (uint8_t)v;
		return DS_OK;
	default:
		return DS_OK;
	}
}

static void outer_hdr(ds_wr *w, const uint8_t src[4], const uint8_t dst[4], uint8_t ttl,
		      uint8_t proto, size_t payload_len)
{
	/* ID 0 and DF clear: a raw socket with IP_HDRINCL fills a zero ID in (raw(7)), and
	 * tunnelled packets may be fragmented on the way (RFC 4459). */
	ds_ipv4_hdr h = {
		.ihl = DS_IPV4_HLEN, .tot_len = (uint16_t)(DS_IPV4_HLEN + payload_len),
		.ttl = ttl ? ttl : 64, .proto = proto,
	};
	memcpy(h.src, src, 4);
	memcpy(h.dst, dst, 4);
	ds_ipv4_hdr_encode(w, &h);
}

int ds_ipv4_udp_build(const uint8_t src[4], const uint8_t dst[4], uint16_t sport, uint16_t dport,
		      uint8_t ttl, const uint8_t *payload, size_t plen, uint8_t *out, size_t cap,
		      size_t *out_len)
{
	if (!out || !out_len || (plen && !payload) ||
	    plen > 65535 - DS_IPV4_HLEN - DS_UDP_HLEN)
		return DS_E_PARAM;
	ds_wr w = ds_wr_init(out, cap);
	outer_hdr(&w, src, dst, ttl, DS_NH_UDP, DS_UDP_HLEN + plen);
	if (ds_udp4_encode(&w, src, dst, sport, dport, payload, plen) || w.err)
		return DS_E_NOSPACE;
	*out_len = w.off;
	return DS_OK;
}

int ds_ipv4_encap_build(const uint8_t src[4], const uint8_t dst[4], uint8_t ttl,
			const uint8_t *inner, size_t ilen, uint8_t *out, size_t cap,
			size_t *out_len)
{
	if (!out || !out_len || ilen > 65535 - DS_IPV4_HLEN)
		return DS_E_PARAM;
	int v = ds_inner_version(inner, ilen);
	if (v < 0)
		return v;
	ds_wr w = ds_wr_init(out, cap);
	outer_hdr(&w, src, dst, ttl, v == 6 ? DS_NH_IPV6 : DS_NH_IPIP, ilen);
	ds_wr_bytes(&w, inner, ilen);
	if (w.err)
		return DS_E_NOSPACE;
	*out_len = w.off;
	return DS_OK;
}
