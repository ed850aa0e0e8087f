/* IPv6 header, Destination Options with the Home Address option, Type 2 Routing Header:
 * bounded walker and builder (RFC 8200 cl. 3, 4; RFC 6275 cl. 6.3, 6.4). */
#include "wire/ip6.h"

#include <string.h>

#include "core/err.h"
#include "wire/mh.h"

enum {
	OPT_PAD1 = 0, OPT_PADN = 1,
	RH_TYPE2 = 2,
	OFF_NEXT = 6,                 /* Next Header field of the fixed header */
	OFF_PLEN = 4,
};

int ds_ipv6_hdr_decode(const uint8_t *p, size_t len, ds_ipv6_hdr *h)
{
	ds_rd r = ds_rd_init(p, len);
	uint32_t w0 = ds_rd_u32(&r);
	h->plen = ds_rd_u16(&r);
	h->next = ds_rd_u8(&r);
	h->hlim = ds_rd_u8(&r);
	ds_rd_copy(&r, h->src, 16);
	ds_rd_copy(&r, h->dst, 16);
	if (r.err)
		return DS_E_TRUNCATED;
	if (w0 >> 28 != 6)
		return DS_E_VERSION;
	h->tclass = (uint8_t)(w0 >> 20);
	h->flow = w0 & 0xfffff;
	return DS_OK;
}

void ds_ipv6_hdr_encode(ds_wr *w, const ds_ipv6_hdr *h)
{
	ds_wr_u32(w, 6u << 28 | (uint32_t)h->tclass << 20 | (h->flow & 0xfffff));
	ds_wr_u16(w, h->plen);
	ds_wr_u8(w, h->next);
	ds_wr_u8(w, h->hlim);
	ds_wr_bytes(w, h->src, 16);
	ds_wr_bytes(w, h->dst, 16);
}

/* RFC 6275 cl. 9.3.1: a Home Address option whose address is not a unicast routable address
 * drops the packet: refuse the unspecified and loopback addresses, multicast (ff00::/8) and
 * link-local (fe80::/10) addresses. */
static bool unicast_routable(const uint8_t a[16])
{
	static const uint8_t zero[15];
	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return false;
	return !(memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1));
}

/* Options of a Hop-by-Hop (in_do false) or Destination Options header occupying p[off, end)
 * (RFC 8200 cl. 4.2). The HAO is recognised only in a Destination Options header
 * (RFC 6275 cl. 6.3); there it is accepted at any position (alignment is a sender rule). */
static int walk_options(const uint8_t *p, size_t off, size_t end, bool in_do, ds_ipv6_pkt *k)
{
	size_t i = off + 2;
	while (i < end) {     /* every pass advances i by at least one */
		uint8_t t = p[i];
		k->err_off = (uint16_t)i;
		if (t == OPT_PAD1) {
			i++;
			continue;
		}
		if (end - i < 2 || end - i - 2 < p[i + 1])
			return DS_E_OVERRUN;
		uint8_t ol = p[i + 1];
		if (t == OPT_PADN) {
			/* contents ignored on receipt (RFC 8200 cl. 4.2) */
		} else if (t == DS_IPV6_HAO_TYPE && in_do) {
			if (ol != 16) {
				k->err_off = (uint16_t)(i + 1);
				return DS_E_BADLEN;
			}
			if (k->has_hao)
				return DS_E_DUPLICATE;
			if (!unicast_routable(p + i + 2)) {
				k->err_off = (uint16_t)(i + 2);
				return DS_E_RESERVED;
			}
			k->has_hao = true;
			k->hao_off = (uint16_t)i;
			memcpy(k->hao, p + i + 2, 16);
		} else if (t >> 6 != 0) {
			/* Action bits 01/10/11: discard (and maybe send ICMPv6 code 2 pointing at
			 * this option): RFC 8200 cl. 4.2. */
			return DS_E_UNKNOWN_TYPE;
		}
		i += 2 + (size_t)ol;
	}
	return DS_OK;
}

/* Routing header at p[off, end) (RFC 8200 cl. 4.4, RFC 6275 cl. 6.4). */
static int walk_routing(const uint8_t *p, size_t off, size_t end, ds_ipv6_pkt *k)
{
	(void)end;
	uint8_t type = p[off + 2], segleft = p[off + 3];
	if (type == RH_TYPE2) {
		if (p[off + 1] != 2) {
			k->err_off = (uint16_t)(off + 1);
			return DS_E_BADLEN;
		}
		if (segleft != 1) {
			k->err_off = (uint16_t)(off + 3);
			return DS_E_RESERVED;
		}
		if (k->has_rh2) {
			k->err_off = (uint16_t)off;
			return DS_E_DUPLICATE;
		}
		k->has_rh2 = true;
		k->rh2_segleft = segleft;
		k->rh2_off = (uint16_t)(off + 2);
		memcpy(k->rh2_hoa, p + off + 8, 16);
		return DS_OK;
	}
	if (segleft == 0)
		return DS_OK;          /* RFC 8200 cl. 4.4: ignore, go on with the next header */
	k->err_off = (uint16_t)(off + 2);
	return DS_E_UNSUPPORTED;   /* ICMPv6 Parameter Problem code 0 at Routing Type */
}

static bool is_ext(uint8_t nh)
{
	return nh == DS_NH_HOPOPTS || nh == DS_NH_DSTOPTS || nh == DS_NH_ROUTING ||
	       nh == DS_NH_FRAGMENT;
}

int ds_ipv6_walk(const uint8_t *p, size_t len, ds_ipv6_pkt *k)
{
	memset(k, 0, sizeof *k);
	int rc = ds_ipv6_hdr_decode(p, len, &k->ip);
	if (rc)
		return rc;
	uint8_t nh = k->ip.next;
	if (k->ip.plen == 0 && nh == DS_NH_HOPOPTS) {
		k->err_off = OFF_PLEN;
		return DS_E_UNSUPPORTED;   /* jumbogram (RFC 2675) */
	}
	if ((size_t)k->ip.plen > len - DS_IPV6_HLEN) {
		k->err_off = OFF_PLEN;
		return DS_E_OVERRUN;
	}
	size_t end = DS_IPV6_HLEN + (size_t)k->ip.plen;
	size_t off = DS_IPV6_HLEN;
	size_t nh_field = OFF_NEXT;        /* where the current Next Header value was read */
	while (is_ext(nh)) {
		k->err_off = (uint16_t)nh_field;
		if (k->n_ext >= DS_IPV6_MAX_EXT)
			return DS_E_LOOP;
		if (nh == DS_NH_HOPOPTS && off != DS_IPV6_HLEN)
			return DS_E_NEXTHDR;  /* RFC 8200 cl. 4.1: Hop-by-Hop only first */
		if (nh == DS_NH_FRAGMENT)
			return DS_E_FRAGMENT;
		if (end - off < 8) {
			k->err_off = (uint16_t)off;
			return DS_E_OVERRUN;
		}
		size_t hlen = ((size_t)p[off + 1] + 1) * 8;
		if (hlen > end - off) {
			k->err_off = (uint16_t)(off + 1);
			return DS_E_OVERRUN;
		}
		if (nh == DS_NH_ROUTING)
			rc = walk_routing(p, off, off + hlen, k);
		else
			rc = walk_options(p, off, off + hlen, nh == DS_NH_DSTOPTS, k);
		if (rc)
			return rc;
		nh_field = off;
		nh = p[off];
		off += hlen;
		k->n_ext++;
	}
	k->err_off = 0;
	k->proto = nh;
	k->off = off;
	k->len = end - off;
	return DS_OK;
}

void ds_ipv6_hao_encode(ds_wr *w, uint8_t next, const uint8_t hoa[16])
{
	ds_wr_u8(w, next);
	ds_wr_u8(w, 2);                   /* (24 / 8) - 1 */
	/* PadN(4) puts the HAO at offset 6, its 8n+6 alignment (RFC 6275 cl. 6.3). */
	ds_wr_u8(w, OPT_PADN);
	ds_wr_u8(w, 2);
	ds_wr_u16(w, 0);
	ds_wr_u8(w, DS_IPV6_HAO_TYPE);
	ds_wr_u8(w, 16);
	ds_wr_bytes(w, hoa, 16);
}

void ds_ipv6_rh2_encode(ds_wr *w, uint8_t next, const uint8_t hoa[16])
{
	ds_wr_u8(w, next);
	ds_wr_u8(w, 2);                   /* Hdr Ext Len MUST be 2 (RFC 6275 cl. 6.4.1) */
	ds_wr_u8(w, RH_TYPE2);
	ds_wr_u8(w, 1);                   /* Segments Left MUST be 1 */
	ds_wr_u32(w, 0);
	ds_wr_bytes(w, hoa, 16);
}

int ds_ipv6_build(const ds_ipv6_spec *s, uint8_t *out, size_t cap, size_t *out_len)
{
	if (!s || !out || !out_len || (s->payload_len && !s->payload))
		return DS_E_PARAM;
	size_t ext = (s->rh2_hoa ? DS_IPV6_RH2_LEN : 0) + (s->hao ? DS_IPV6_HAO_DO_LEN : 0);
	if (s->payload_len > 65535 - ext)
		return DS_E_PARAM;
	if (s->mh_csum && (s->proto != DS_NH_MH || s->payload_len < DS_MOB_HDR_LEN))
		return DS_E_PARAM;
	if (s->hao && !unicast_routable(s->hao))
		return DS_E_PARAM;   /* the receiver would drop it (RFC 6275 cl. 9.3.1) */
	ds_ipv6_hdr h = {
		.tclass = s->tclass, .flow = s->flow, .plen = (uint16_t)(ext + s->payload_len),
		.hlim = s->hlim ? s->hlim : 64,
	};
	memcpy(h.src, s->src, 16);
	memcpy(h.dst, s->dst, 16);
	/* RFC 6275 cl. 6.3: the HAO's Destination Options header follows the routing header and
	 * precedes AH/ESP/Fragment, so the chain is IPv6 -> RH2 -> DO -> upper layer. */
	h.next = s->rh2_hoa ? DS_NH_ROUTING : s->hao ? DS_NH_DSTOPTS : s->proto;
	ds_wr w = ds_wr_init(out, cap);
	ds_ipv6_hdr_encode(&w, &h);
	if (s->rh2_hoa)
		ds_ipv6_rh2_encode(&w, s->hao ? DS_NH_DSTOPTS : s->proto, s->rh2_hoa);
	if (s->hao)
		ds_ipv6_hao_encode(&w, s->proto, s->hao);
	size_t up = w.off;
	ds_wr_bytes(&w, s->payload, s->payload_len);
	if (w.err)
		return DS_E_NOSPACE;
	if (s->mh_csum)
		/* RFC 6275 cl. 6.1.1: HoA as source with a HAO, as destination with a RH2. */
		ds_mob_csum_set(out + up, s->payload_len, s->hao ? s->hao : s->src,
				s->rh2_hoa ? s->rh2_hoa : s->dst);
	*out_len = w.off;
	return DS_OK;
}
