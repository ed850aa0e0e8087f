/* IPv6 / IPv4 assembly and parsing for MH signalling and tunnelled data (RFC 6275 cl. 6.3,
 * 6.4, 9.3, RFC 4877 cl. 4, RFC 5555 cl. 4, RFC 8200 cl. 4). */
#include "mip/sig.h"

#include <string.h>

#include "core/buf.h"
#include "core/csum.h"
#include "core/err.h"

#define MAX_EXT_HDRS 8

/* Options of a Hop-by-Hop or Destination Options header (RFC 8200 cl. 4.2). */
static int parse_opts(ds_rd *r, bool dst_opts, ds_ip6_view *v)
{
	unsigned n = 0;
	while (ds_rd_left(r) > 0) {
		if (++n > 64)
			return DS_E_LOOP;
		uint8_t t = ds_rd_u8(r);
		if (t == 0)          /* Pad1 */
			continue;
		uint8_t l = ds_rd_u8(r);
		const uint8_t *d = ds_rd_ptr(r, l);
		if (!d)
			return DS_E_OVERRUN;
		if (t == 1) {        /* PadN: content must be zero (RFC 8200 cl. 4.2 hint) */
			for (unsigned i = 0; i < l; i++)
				if (d[i])
					return DS_E_PADDING;
			continue;
		}
		if (t == DS_HAO_OPT_TYPE && dst_opts) {
			if (l != 16 || v->has_hao)
				return DS_E_BADLEN;
			v->has_hao = true;
			memcpy(v->hao, d, 16);
			continue;
		}
		/* Unknown option: the two high-order bits say skip (00) or discard (01, 10, 11). */
		if ((t & 0xc0) != 0)
			return DS_E_UNSUPPORTED;
	}
	return DS_OK;
}

int ds_ip6_parse(const uint8_t *p, size_t len, ds_ip6_view *v)
{
	memset(v, 0, sizeof *v);
	if (len < DS_IP6_HDR_LEN)
		return DS_E_TRUNCATED;
	if ((p[0] >> 4) != 6)
		return DS_E_VERSION;
	/* Payload Length 0 is an empty payload (a jumbogram would also need the Hop-by-Hop
	 * Jumbo Payload option, which parse_opts refuses as unknown with action bits 11). */
	size_t plen = ds_get_u16(p + 4);
	if (DS_IP6_HDR_LEN + plen > len)
		return DS_E_OVERRUN;
	len = DS_IP6_HDR_LEN + plen;  /* ignore link-layer padding after the packet */
	uint8_t nh = p[6];
	v->hop_limit = p[7];
	memcpy(v->src, p + 8, 16);
	memcpy(v->dst, p + 24, 16);
	size_t off = DS_IP6_HDR_LEN;
	for (unsigned i = 0;; i++) {
		if (nh != DS_IPPROTO_HOPOPTS && nh != DS_IPPROTO_DSTOPTS && nh != DS_IPPROTO_ROUTING)
			break;
		if (i >= MAX_EXT_HDRS)
			return DS_E_LOOP;
		if (nh == DS_IPPROTO_HOPOPTS && i != 0)
			return DS_E_RESERVED;   /* HBH only right after the IPv6 header (cl. 4.1) */
		if (len - off < 8)
			return DS_E_TRUNCATED;
		size_t hl = ((size_t)p[off + 1] + 1u) * 8u;
		if (hl > len - off)
			return DS_E_OVERRUN;
		uint8_t next = p[off];
		if (nh == DS_IPPROTO_ROUTING) {
			uint8_t type = p[off + 2], segleft = p[off + 3];
			if (type == 2) {
				/* RFC 6275 cl. 6.4: Hdr Ext Len 2, Segments Left 1 */
				if (hl != 24 || segleft != 1 || v->has_rh2)
					return DS_E_BADLEN;
				v->has_rh2 = true;
				memcpy(v->rh2, p + off + 8, 16);
			} else if (segleft != 0) {
				return DS_E_UNSUPPORTED;
			}
		} else {
			ds_rd r = ds_rd_init(p + off + 2, hl - 2);
			int rc = parse_opts(&r, nh == DS_IPPROTO_DSTOPTS, v);
			if (rc != DS_OK)
				return rc;
		}
		nh = next;
		off += hl;
	}
	v->proto = nh;
	v->off = off;
	v->len = len - off;
	return DS_OK;
}

int ds_ip4_parse(const uint8_t *p, size_t len, ds_ip4_view *v)
{
	memset(v, 0, sizeof *v);
	if (len < DS_IP4_HDR_LEN)
		return DS_E_TRUNCATED;
	if ((p[0] >> 4) != 4)
		return DS_E_VERSION;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4u;
	size_t tot = ds_get_u16(p + 2);
	if (ihl < DS_IP4_HDR_LEN || tot < ihl || tot > len)
		return DS_E_BADLEN;
	if (ds_csum_fold(ds_csum_add(0, p, ihl)) != 0)
		return DS_E_CHECKSUM;
	/* Fragments are not reassembled here (the hosts reassemble or drop them). */
	if ((ds_get_u16(p + 6) & 0x3fff) != 0)
		return DS_E_UNSUPPORTED;
	memcpy(v->src, p + 12, 4);
	memcpy(v->dst, p + 16, 4);
	v->proto = p[9];
	v->off = ihl;
	v->len = tot - ihl;
	return DS_OK;
}

static void put_ip6_hdr(ds_wr *w, const uint8_t src[16], const uint8_t dst[16], uint8_t nh,
			size_t plen)
{
	ds_wr_u32(w, 0x60000000u);
	ds_wr_u16(w, (uint16_t)plen);
	ds_wr_u8(w, nh);
	ds_wr_u8(w, 64);
	ds_wr_bytes(w, src, 16);
	ds_wr_bytes(w, dst, 16);
}

int ds_sig_build(const uint8_t src[16], const uint8_t dst[16], const uint8_t *hao,
		 const uint8_t *rh2, ds_esp_sa *sa, const uint8_t *mh, size_t mh_len, uint8_t *out,
		 size_t cap, size_t *out_len)
{
	size_t ext = (hao ? 24u : 0u) + (rh2 ? 24u : 0u);
	size_t body = sa ? ds_esp_sealed_len(sa, mh_len) : mh_len;
	size_t plen = ext + body;
	if (plen > 0xffff || DS_IP6_HDR_LEN + plen > cap)
		return DS_E_NOSPACE;
	ds_wr w = ds_wr_init(out, cap);
	uint8_t upper = sa ? DS_IPPROTO_ESP : DS_IPPROTO_MH;
	/* RFC 8200 cl. 4.1 order: Routing header before the Destination Options header that
	 * carries the HAO (RFC 6275 cl. 6.3: the HAO sits in a DO header after any RH). */
	uint8_t first = rh2 ? DS_IPPROTO_ROUTING : hao ? DS_IPPROTO_DSTOPTS : upper;
	put_ip6_hdr(&w, src, dst, first, plen);
	if (rh2) {
		ds_wr_u8(&w, hao ? DS_IPPROTO_DSTOPTS : upper);
		ds_wr_u8(&w, 2);      /* Hdr Ext Len */
		ds_wr_u8(&w, 2);      /* Routing Type 2 */
		ds_wr_u8(&w, 1);      /* Segments Left */
		ds_wr_u32(&w, 0);
		ds_wr_bytes(&w, rh2, 16);
	}
	if (hao) {
		ds_wr_u8(&w, upper);
		ds_wr_u8(&w, 2);      /* 24 octets */
		/* PadN(4) puts the HAO at offset 6 mod 8, its 8n+6 alignment (cl. 6.3) */
		ds_wr_u8(&w, 1);
		ds_wr_u8(&w, 2);
		ds_wr_u16(&w, 0);
		ds_wr_u8(&w, DS_HAO_OPT_TYPE);
		ds_wr_u8(&w, 16);
		ds_wr_bytes(&w, hao, 16);
	}
	if (w.err)
		return DS_E_NOSPACE;
	if (sa) {
		size_t n = 0;
		int rc = ds_esp_seal(sa, DS_IPPROTO_MH, mh, mh_len, out + w.off, cap - w.off, &n);
		if (rc != DS_OK)
			return rc;
		if (n != body)
			return DS_E_STATE;
		w.off += n;
	} else {
		ds_wr_bytes(&w, mh, mh_len);
		if (w.err)
			return DS_E_NOSPACE;
	}
	*out_len = w.off;
	return DS_OK;
}

static int inner_proto(const uint8_t *inner, size_t len, uint8_t *proto)
{
	if (len < 1)
		return DS_E_TRUNCATED;
	switch (inner[0] >> 4) {
	case 6: *proto = DS_IPPROTO_IPV6; return DS_OK;
	case 4: *proto = DS_IPPROTO_IPV4; return DS_OK;
	default: return DS_E_VERSION;
	}
}

int ds_encap6(const uint8_t src[16], const uint8_t dst[16], const uint8_t *inner, size_t len,
	      uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t proto;
	int rc = inner_proto(inner, len, &proto);
	if (rc != DS_OK)
		return rc;
	if (len > 0xffff || DS_IP6_HDR_LEN + len > cap)
		return DS_E_NOSPACE;
	ds_wr w = ds_wr_init(out, cap);
	put_ip6_hdr(&w, src, dst, proto, len);
	ds_wr_bytes(&w, inner, len);
	if (w.err)
		return DS_E_NOSPACE;
	*out_len = w.off;
	return DS_OK;
}

int ds_encap4(const uint8_t src[4], const uint8_t dst[4], const uint8_t *inner, size_t len,
	      uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t proto;
	int rc = inner_proto(inner, len, &proto);
	if (rc != DS_OK)
		return rc;
	if (DS_IP4_HDR_LEN + len > 0xffff || DS_IP4_HDR_LEN + len > cap)
		return DS_E_NOSPACE;
	ds_wr w = ds_wr_init(out, cap);
	ds_wr_u8(&w, 0x45);
	ds_wr_u8(&w, 0);
	ds_wr_u16(&w, (uint16_t)(DS_IP4_HDR_LEN + len));
	ds_wr_u32(&w, 0);            /* identification 0, no fragmentation flags */
	ds_wr_u8(&w, 64);
	ds_wr_u8(&w, proto);
	ds_wr_u16(&w, 0);
	ds_wr_bytes(&w, src, 4);
	ds_wr_bytes(&w, dst, 4);
	ds_wr_bytes(&w, inner, len);
	if (w.err)
		return DS_E_NOSPACE;
	ds_put_u16(out + 10, ds_csum_fold(ds_csum_add(0, out, DS_IP4_HDR_LEN)));
	*out_len = w.off;
	return DS_OK;
}

int ds_inner_addrs(const uint8_t *p, size_t len, ds_addr *src, ds_addr *dst)
{
	if (len < 1)
		return DS_E_TRUNCATED;
	if ((p[0] >> 4) == 6) {
		if (len < DS_IP6_HDR_LEN)
			return DS_E_TRUNCATED;
		*src = ds_addr6(p + 8, 0);
		*dst = ds_addr6(p + 24, 0);
		return DS_OK;
	}
	if ((p[0] >> 4) == 4) {
		if (len < DS_IP4_HDR_LEN)
			return DS_E_TRUNCATED;
		*src = ds_addr4(p + 12, 0);
		*dst = ds_addr4(p + 16, 0);
		return DS_OK;
	}
	return DS_E_VERSION;
}
