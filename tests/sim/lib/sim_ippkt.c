#include "sim_ippkt.h"

#include <string.h>

#include "core/buf.h"
#include "core/csum.h"
#include "core/err.h"

enum { IPPROTO_UDP_ = 17 };

size_t sim_ip_udp_build(uint8_t *out, size_t cap, const ds_addr *src, const ds_addr *dst,
			const uint8_t *payload, size_t len)
{
	if (src->family != dst->family || (src->family != DS_AF_INET && src->family != DS_AF_INET6))
		return 0;
	size_t udp_len = SIM_UDP_HDR + len;
	if (udp_len > 0xffff)
		return 0;
	ds_wr w = ds_wr_init(out, cap);
	if (src->family == DS_AF_INET6) {
		ds_wr_u32(&w, 6u << 28);              /* version 6, traffic class 0, flow label 0 */
		ds_wr_u16(&w, (uint16_t)udp_len);
		ds_wr_u8(&w, IPPROTO_UDP_);
		ds_wr_u8(&w, 64);                     /* hop limit */
		ds_wr_bytes(&w, src->ip, 16);
		ds_wr_bytes(&w, dst->ip, 16);
	} else {
		if (udp_len + SIM_IP4_HDR > 0xffff)
			return 0;
		size_t h = w.off;
		ds_wr_u8(&w, 0x45);                   /* version 4, IHL 5 */
		ds_wr_u8(&w, 0);
		ds_wr_u16(&w, (uint16_t)(SIM_IP4_HDR + udp_len));
		ds_wr_u16(&w, 0);                     /* identification */
		ds_wr_u16(&w, 0x4000);                /* DF */
		ds_wr_u8(&w, 64);
		ds_wr_u8(&w, IPPROTO_UDP_);
		ds_wr_u16(&w, 0);                     /* header checksum, below */
		ds_wr_bytes(&w, src->ip, 4);
		ds_wr_bytes(&w, dst->ip, 4);
		if (!w.err)
			ds_wr_put_u16_at(&w, h + 10, ds_csum_fold(ds_csum_add(0, out + h, SIM_IP4_HDR)));
	}
	size_t u = w.off;
	ds_wr_u16(&w, src->port);
	ds_wr_u16(&w, dst->port);
	ds_wr_u16(&w, (uint16_t)udp_len);
	ds_wr_u16(&w, 0);
	ds_wr_bytes(&w, payload, len);
	if (w.err)
		return 0;
	uint16_t c = src->family == DS_AF_INET6
		? ds_csum_ipv6(src->ip, dst->ip, IPPROTO_UDP_, out + u, udp_len)
		: ds_csum_ipv4(src->ip, dst->ip, IPPROTO_UDP_, out + u, udp_len);
	if (c == 0)
		c = 0xffff;  /* RFC 768: a computed zero is sent as all ones */
	ds_put_u16(out + u + 6, c);
	return w.off;
}

int sim_ip_addrs(const uint8_t *pkt, size_t len, ds_addr *src, ds_addr *dst, uint8_t *proto)
{
	ds_rd r = ds_rd_init(pkt, len);
	uint8_t v = ds_rd_u8(&r) >> 4;
	if (r.err)
		return DS_E_TRUNCATED;
	r = ds_rd_init(pkt, len);
	if (v == 6) {
		ds_rd_skip(&r, 6);
		uint8_t nh = ds_rd_u8(&r);
		ds_rd_skip(&r, 1);
		const uint8_t *s = ds_rd_ptr(&r, 16), *d = ds_rd_ptr(&r, 16);
		if (r.err)
			return DS_E_TRUNCATED;
		*src = ds_addr6(s, 0);
		*dst = ds_addr6(d, 0);
		*proto = nh;
		return DS_OK;
	}
	if (v == 4) {
		uint8_t ihl = ds_rd_u8(&r) & 0x0f;
		ds_rd_skip(&r, 8);
		uint8_t p = ds_rd_u8(&r);
		ds_rd_skip(&r, 2);
		const uint8_t *s = ds_rd_ptr(&r, 4), *d = ds_rd_ptr(&r, 4);
		if (r.err)
			return DS_E_TRUNCATED;
		if (ihl < 5)
			return DS_E_BADLEN;
		*src = ds_addr4(s, 0);
		*dst = ds_addr4(d, 0);
		*proto = p;
		return DS_OK;
	}
	return DS_E_VERSION;
}

int sim_ip_udp_parse(const uint8_t *pkt, size_t len, sim_ip_udp *out)
{
	uint8_t proto = 0;
	int rc = sim_ip_addrs(pkt, len, &out->src, &out->dst, &proto);
	if (rc != DS_OK)
		return rc;
	if (proto != IPPROTO_UDP_)
		return DS_E_NEXTHDR;
	size_t hl, total;
	if (out->src.family == DS_AF_INET6) {
		hl = SIM_IP6_HDR;
		total = SIM_IP6_HDR + ds_get_u16(pkt + 4);
	} else {
		hl = (size_t)(pkt[0] & 0x0f) * 4;
		total = ds_get_u16(pkt + 2);
		if ((ds_get_u16(pkt + 6) & 0x3fff) != 0)
			return DS_E_FRAGMENT;
	}
	if (total > len || total < hl + SIM_UDP_HDR)
		return DS_E_OVERRUN;
	ds_rd r = ds_rd_init(pkt + hl, total - hl);
	uint16_t sp = ds_rd_u16(&r), dp = ds_rd_u16(&r), ul = ds_rd_u16(&r);
	ds_rd_skip(&r, 2);
	if (r.err)
		return DS_E_TRUNCATED;
	if (ul < SIM_UDP_HDR || ul > total - hl)
		return DS_E_BADLEN;
	uint16_t c = out->src.family == DS_AF_INET6
		? ds_csum_ipv6(out->src.ip, out->dst.ip, IPPROTO_UDP_, pkt + hl, ul)
		: ds_csum_ipv4(out->src.ip, out->dst.ip, IPPROTO_UDP_, pkt + hl, ul);
	if (c != 0 && !(out->src.family == DS_AF_INET && ds_get_u16(pkt + hl + 6) == 0))
		return DS_E_CHECKSUM;
	out->src.port = sp;
	out->dst.port = dp;
	out->payload = pkt + hl + SIM_UDP_HDR;
	out->len = ul - SIM_UDP_HDR;
	return DS_OK;
}
