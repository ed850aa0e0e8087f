/* IPv6 / IPv4 assembly and parsing for MH signalling and tunnelled data (RFC 6275 cl. 6.3,
 * 6.4, 9.3, RFC 4877 cl. 4, RFC 5555 cl. 4, RFC 8200 cl. 4). */
#include "mip/sig.h"

#include <string.h>

#include "core/buf.h"
#include "core/csum.h"
#include "core/err.h"
#include "wire/ip6.h"
#include "wire/ipv4.h"

int ds_ip6_parse(const uint8_t *p, size_t len, ds_ip6_view *v)
{
	memset(v, 0, sizeof *v);
	ds_ipv6_pkt k;
	int rc = ds_ipv6_walk(p, len, &k);
	if (rc != DS_OK)
		return rc;
	memcpy(v->src, k.ip.src, 16);
	memcpy(v->dst, k.ip.dst, 16);
	v->hop_limit = k.ip.hlim;
	v->has_hao = k.has_hao;
	memcpy(v->hao, k.hao, 16);
	v->has_rh2 = k.has_rh2;
	memcpy(v->rh2, k.rh2_hoa, 16);
	v->proto = k.proto;
	v->off = k.off;
	v->len = k.len;
	return DS_OK;
}

int ds_ip4_parse(const uint8_t *p, size_t len, ds_ip4_view *v)
{
	memset(v, 0, sizeof *v);
	ds_ipv4_hdr h;
	int rc = ds_ipv4_hdr_decode(p, len, &h);
	if (rc != DS_OK)
		return rc;
	memcpy(v->src, h.src, 4);
	memcpy(v->dst, h.dst, 4);
	v->proto = h.proto;
	v->off = h.ihl;
	v->len = (size_t)h.tot_len - h.ihl;
	return DS_OK;
}

static void put_ip6_hdr(ds_wr *w, const uint8_t src[16], const uint8_t dst[16], uint8_t nh,
			size_t plen)
{
	ds_ipv6_hdr h;
	memset(&h, 0, sizeof h);
	h.plen = (uint16_t)plen;
	h.next = nh;
	h.hlim = 64;
	memcpy(h.src, src, 16);
	memcpy(h.dst, dst, 16);
	ds_ipv6_hdr_encode(w, &h);
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
	if (rh2)
		ds_ipv6_rh2_encode(&w, hao ? DS_IPPROTO_DSTOPTS : upper, rh2);
	if (hao)   /* PadN(4) puts the HAO at its 8n+6 alignment (RFC 6275 cl. 6.3) */
		ds_ipv6_hao_encode(&w, upper, hao);
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
	/* protocol 41 or 4 from the inner version (RFC 5555 cl. 4.1) */
	return ds_ipv4_encap_build(src, dst, 0, inner, len, out, cap, out_len);
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
