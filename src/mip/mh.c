/* Mobility Header codec for the S2c messages (RFC 6275 cl. 6.1/6.2/9.2, RFC 5555 cl. 3,
 * RFC 5846 cl. 6). */
#include "mip/mh.h"

#include <string.h>

#include "core/buf.h"
#include "core/csum.h"
#include "core/err.h"

#define MH_FIXED 6   /* Payload Proto, Header Len, MH Type, Reserved, Checksum */

/* Pad so that the next option starts at an offset o with o % n == k (RFC 6275 cl. 6.2:
 * alignment "xn+y"); Pad1 for one octet, PadN otherwise. */
static void pad_to(ds_wr *w, unsigned n, unsigned k)
{
	unsigned pad = (unsigned)((k + n - w->off % n) % n);
	if (pad == 1) {
		ds_wr_u8(w, DS_MIP_OPT_PAD1);
	} else if (pad >= 2) {
		ds_wr_u8(w, DS_MIP_OPT_PADN);
		ds_wr_u8(w, (uint8_t)(pad - 2));
		ds_wr_zero(w, pad - 2);
	}
}

static void put_ipv4_hoa(ds_wr *w, const ds_mh_ipv4_hoa *o)
{
	pad_to(w, 4, 0);
	ds_wr_u8(w, DS_MIP_OPT_IPV4_HOA);
	ds_wr_u8(w, 6);
	/* Prefix-len (6) | P (1) | Reserved (9)  (RFC 5555 cl. 3.1.1) */
	ds_wr_u16(w, (uint16_t)((o->plen & 0x3f) << 10 | (o->p ? 1u << 9 : 0u)));
	ds_wr_bytes(w, o->addr, 4);
}

static int encode_body(const ds_mh_msg *m, ds_wr *w)
{
	switch (m->type) {
	case DS_MH_BU:
		ds_wr_u16(w, m->seq);
		ds_wr_u16(w, m->bu_flags);
		ds_wr_u16(w, m->lifetime);
		if (m->has_alt_coa) {
			pad_to(w, 8, 6);
			ds_wr_u8(w, DS_MIP_OPT_ALT_COA);
			ds_wr_u8(w, 16);
			ds_wr_bytes(w, m->alt_coa, 16);
		}
		if (m->ipv4_hoa.present)
			put_ipv4_hoa(w, &m->ipv4_hoa);
		if (m->has_ipv4_coa) {
			pad_to(w, 4, 0);
			ds_wr_u8(w, DS_MIP_OPT_IPV4_COA);
			ds_wr_u8(w, 6);
			ds_wr_u16(w, 0);
			ds_wr_bytes(w, m->ipv4_coa, 4);
		}
		return DS_OK;
	case DS_MH_BA:
		ds_wr_u8(w, m->status);
		ds_wr_u8(w, m->ba_flags);
		ds_wr_u16(w, m->seq);
		ds_wr_u16(w, m->lifetime);
		if (m->has_refresh) {
			pad_to(w, 2, 0);
			ds_wr_u8(w, DS_MIP_OPT_REFRESH);
			ds_wr_u8(w, 2);
			ds_wr_u16(w, m->refresh);
		}
		if (m->ipv4_ack.present) {
			pad_to(w, 4, 0);
			ds_wr_u8(w, DS_MIP_OPT_IPV4_ACK);
			ds_wr_u8(w, 6);
			ds_wr_u8(w, m->ipv4_ack.status);
			ds_wr_u8(w, (uint8_t)((m->ipv4_ack.plen & 0x3f) << 2));
			ds_wr_bytes(w, m->ipv4_ack.addr, 4);
		}
		if (m->nat.present) {
			pad_to(w, 4, 0);
			ds_wr_u8(w, DS_MIP_OPT_NAT_DET);
			ds_wr_u8(w, 6);
			ds_wr_u16(w, m->nat.f ? 0x8000 : 0);
			ds_wr_u32(w, m->nat.refresh_s);
		}
		return DS_OK;
	case DS_MH_BE:
		ds_wr_u8(w, m->status);
		ds_wr_u8(w, 0);
		ds_wr_bytes(w, m->be_hoa, 16);
		return DS_OK;
	case DS_MH_BR:
		/* BRI: B.R. Type | Revocation Trigger; BRA: B.R. Type | Status (RFC 5846 cl. 6.1) */
		ds_wr_u8(w, m->br_type);
		ds_wr_u8(w, m->status);
		ds_wr_u16(w, m->seq);
		ds_wr_u16(w, m->br_flags);
		return DS_OK;
	default:
		return DS_E_PARAM;
	}
}

int ds_mh_encode(const ds_mh_msg *m, const uint8_t src[16], const uint8_t dst[16], uint8_t *out,
		 size_t cap, size_t *out_len)
{
	ds_wr w = ds_wr_init(out, cap);
	ds_wr_u8(&w, 59);           /* Payload Proto: IPPROTO_NONE (cl. 6.1.1) */
	ds_wr_u8(&w, 0);            /* Header Len, filled below */
	ds_wr_u8(&w, m->type);
	ds_wr_u8(&w, 0);
	ds_wr_u16(&w, 0);           /* checksum */
	int rc = encode_body(m, &w);
	if (rc != DS_OK)
		return rc;
	/* The total length must be a multiple of 8 octets (cl. 6.1.1). */
	pad_to(&w, 8, 0);
	if (w.err)
		return DS_E_NOSPACE;
	if (w.off / 8 - 1 > 255)
		return DS_E_NOSPACE;
	out[1] = (uint8_t)(w.off / 8 - 1);
	uint16_t ck = ds_csum_ipv6(src, dst, DS_IPPROTO_MH, out, w.off);
	ds_put_u16(out + 4, ck);
	*out_len = w.off;
	return DS_OK;
}

static size_t min_len(uint8_t type)
{
	switch (type) {
	case DS_MH_BU: return 12;
	case DS_MH_BA: return 12;
	case DS_MH_BE: return 24;
	case DS_MH_BR: return 12;
	default: return 0;
	}
}

static int decode_options(ds_rd *r, ds_mh_msg *m)
{
	unsigned n = 0;
	while (ds_rd_left(r) > 0) {
		if (++n > 256)
			return DS_E_LOOP;
		uint8_t t = ds_rd_u8(r);
		if (t == DS_MIP_OPT_PAD1)
			continue;
		uint8_t l = ds_rd_u8(r);
		if (r->err)
			return DS_E_TRUNCATED;
		ds_rd o = ds_rd_sub(r, l);
		if (r->err)
			return DS_E_OVERRUN;
		switch (t) {
		case DS_MIP_OPT_PADN:
			break;
		case DS_MIP_OPT_REFRESH:
			if (l != 2)
				return DS_E_BADLEN;
			m->has_refresh = true;
			m->refresh = ds_rd_u16(&o);
			break;
		case DS_MIP_OPT_ALT_COA:
			if (l != 16)
				return DS_E_BADLEN;
			m->has_alt_coa = true;
			ds_rd_copy(&o, m->alt_coa, 16);
			break;
		case DS_MIP_OPT_IPV4_HOA: {
			if (l != 6)
				return DS_E_BADLEN;
			uint16_t v = ds_rd_u16(&o);
			m->ipv4_hoa.present = true;
			m->ipv4_hoa.plen = (uint8_t)(v >> 10);
			m->ipv4_hoa.p = (v >> 9) & 1u;
			ds_rd_copy(&o, m->ipv4_hoa.addr, 4);
			break;
		}
		case DS_MIP_OPT_IPV4_ACK:
			if (l != 6)
				return DS_E_BADLEN;
			m->ipv4_ack.present = true;
			m->ipv4_ack.status = ds_rd_u8(&o);
			m->ipv4_ack.plen = (uint8_t)(ds_rd_u8(&o) >> 2);
			ds_rd_copy(&o, m->ipv4_ack.addr, 4);
			break;
		case DS_MIP_OPT_NAT_DET:
			if (l != 6)
				return DS_E_BADLEN;
			m->nat.present = true;
			m->nat.f = (ds_rd_u16(&o) & 0x8000u) != 0;
			m->nat.refresh_s = ds_rd_u32(&o);
			break;
		case DS_MIP_OPT_IPV4_COA:
			if (l != 6)
				return DS_E_BADLEN;
			m->has_ipv4_coa = true;
			ds_rd_u16(&o);
			ds_rd_copy(&o, m->ipv4_coa, 4);
			break;
		default:
			/* cl. 6.2.1: unrecognised options MUST be silently ignored */
			break;
		}
	}
	return r->err ? DS_E_TRUNCATED : DS_OK;
}

int ds_mh_decode(const uint8_t *p, size_t len, const uint8_t src[16], const uint8_t dst[16],
		 ds_mh_msg *m)
{
	memset(m, 0, sizeof *m);
	if (len < 8)
		return DS_E_TRUNCATED;
	size_t total = ((size_t)p[1] + 1u) * 8u;
	m->type = p[2];
	/* cl. 9.2: Header Len must match the packet; Payload Proto must be IPPROTO_NONE. */
	if (total != len)
		return total > len ? DS_E_OVERRUN : DS_E_BADLEN;
	if (p[0] != 59)
		return DS_E_NEXTHDR;
	if (ds_csum_ipv6(src, dst, DS_IPPROTO_MH, p, len) != 0)
		return DS_E_CHECKSUM;
	size_t need = min_len(m->type);
	if (need == 0)
		return DS_E_UNKNOWN_TYPE;
	if (len < need)
		return DS_E_BADLEN;
	ds_rd r = ds_rd_init(p + MH_FIXED, len - MH_FIXED);
	switch (m->type) {
	case DS_MH_BU:
		m->seq = ds_rd_u16(&r);
		m->bu_flags = ds_rd_u16(&r);
		m->lifetime = ds_rd_u16(&r);
		break;
	case DS_MH_BA:
		m->status = ds_rd_u8(&r);
		m->ba_flags = ds_rd_u8(&r);
		m->seq = ds_rd_u16(&r);
		m->lifetime = ds_rd_u16(&r);
		break;
	case DS_MH_BE:
		m->status = ds_rd_u8(&r);
		ds_rd_u8(&r);
		ds_rd_copy(&r, m->be_hoa, 16);
		break;
	case DS_MH_BR:
		m->br_type = ds_rd_u8(&r);
		m->status = ds_rd_u8(&r);
		m->seq = ds_rd_u16(&r);
		m->br_flags = ds_rd_u16(&r);
		break;
	}
	if (r.err)
		return DS_E_TRUNCATED;
	return decode_options(&r, m);
}
