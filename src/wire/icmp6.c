/* ICMPv6 Parameter Problem (RFC 4443 cl. 3.4): decode, locate the HAO / RH2 it may be about,
 * and build one. */
#include "wire/icmp6.h"

#include <string.h>

#include "core/buf.h"
#include "core/csum.h"
#include "core/err.h"
#include "wire/ip6.h"

enum { ICMP6_HLEN = 8 };

/* Scan Destination Options data p[from, to) for the HAO type octet; 0 when absent. */
static size_t find_hao(const uint8_t *p, size_t from, size_t to)
{
	size_t i = from;
	while (i < to) {      /* every pass advances i by at least one */
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (p[i] == DS_IPV6_HAO_TYPE)
			return i;
		if (to - i < 2)
			break;
		i += 2 + (size_t)p[i + 1];
	}
	return 0;
}

/* Walk the (possibly cut) invoking packet to find where a HAO or a Type 2 RH would be. */
static void locate(ds_icmp6_pp *pp)
{
	const uint8_t *p = pp->invoking;
	size_t len = pp->invoking_len;
	ds_ipv6_hdr h;
	if (ds_ipv6_hdr_decode(p, len, &h) != DS_OK)
		return;
	pp->inv_src_ok = true;
	memcpy(pp->inv_src, h.src, 16);
	memcpy(pp->inv_dst, h.dst, 16);
	uint8_t nh = h.next;
	size_t off = DS_IPV6_HLEN;
	for (unsigned n = 0; n < DS_IPV6_MAX_EXT && len - off >= 4; n++) {
		if (nh != DS_NH_HOPOPTS && nh != DS_NH_DSTOPTS && nh != DS_NH_ROUTING)
			return;
		size_t hlen = ((size_t)p[off + 1] + 1) * 8;
		size_t stop = hlen < len - off ? off + hlen : len;
		if (nh == DS_NH_DSTOPTS && !pp->about_hao) {
			size_t at = find_hao(p, off + 2, stop);
			pp->about_hao = at != 0 && at == pp->pointer;
		}
		if (nh == DS_NH_ROUTING && p[off + 2] == 2)
			pp->about_rh2 = pp->about_rh2 || pp->pointer == off + 2;
		nh = p[off];
		if (hlen > len - off)
			return;
		off += hlen;
	}
}

int ds_icmp6_pp_decode(const uint8_t *p, size_t len, const uint8_t *src, const uint8_t *dst,
		       ds_icmp6_pp *pp)
{
	memset(pp, 0, sizeof *pp);
	if (!p || len < ICMP6_HLEN)
		return DS_E_TRUNCATED;
	if (src && dst && ds_csum_ipv6(src, dst, DS_NH_ICMPV6, p, len) != 0)
		return DS_E_CHECKSUM;
	pp->type = p[0];
	if (pp->type != DS_ICMP6_PARAM_PROB)
		return DS_E_UNKNOWN_TYPE;
	pp->code = p[1];
	pp->pointer = ds_get_u32(p + 4);
	pp->invoking = p + ICMP6_HLEN;
	pp->invoking_len = len - ICMP6_HLEN;
	locate(pp);
	return DS_OK;
}

int ds_icmp6_pp_encode(uint8_t code, uint32_t pointer, const uint8_t *invoking, size_t inv_len,
		       const uint8_t src[16], const uint8_t dst[16], uint8_t *out, size_t cap,
		       size_t *out_len)
{
	if (!out || !out_len || (inv_len && !invoking))
		return DS_E_PARAM;
	/* RFC 4443 cl. 2.4 (c): as much of the invoking packet as fits the minimum MTU. */
	size_t room = DS_ICMP6_ERR_MAX - DS_IPV6_HLEN - ICMP6_HLEN;
	if (inv_len > room)
		inv_len = room;
	ds_wr w = ds_wr_init(out, cap);
	ds_wr_u8(&w, DS_ICMP6_PARAM_PROB);
	ds_wr_u8(&w, code);
	ds_wr_u16(&w, 0);
	ds_wr_u32(&w, pointer);
	ds_wr_bytes(&w, invoking, inv_len);
	if (w.err)
		return DS_E_NOSPACE;
	ds_put_u16(out + 2, ds_csum_ipv6(src, dst, DS_NH_ICMPV6, out, w.off));
	*out_len = w.off;
	return DS_OK;
}
