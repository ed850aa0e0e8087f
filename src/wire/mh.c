/* Mobility Header messages (RFC 6275 cl. 6.1, RFC 5846 cl. 5) and the MH checksum. */
#include "wire/mh.h"

#include <string.h>

#include "core/buf.h"
#include "core/csum.h"
#include "core/err.h"
#include "wire/ip6.h"
#include "wire/mh_impl.h"

/* Offset of the Checksum field and of the Header Len field in the MH (RFC 6275 cl. 6.1.1). */
enum { OFF_HDRLEN = 1, OFF_TYPE = 2, OFF_CSUM = 4 };

const char *ds_mob_type_name(uint8_t type)
{
	switch (type) {
	case DS_MOB_BRR: return "BRR";
	case DS_MOB_HOTI: return "HoTI";
	case DS_MOB_COTI: return "CoTI";
	case DS_MOB_HOT: return "HoT";
	case DS_MOB_COT: return "CoT";
	case DS_MOB_BU: return "BU";
	case DS_MOB_BA: return "BA";
	case DS_MOB_BE: return "BE";
	case DS_MOB_BR: return "BR";
	default: return "unknown";
	}
}

/* Fixed part length of the message types this codec handles; 0 for the others. */
static size_t fixed_len(uint8_t type)
{
	switch (type) {
	case DS_MOB_BRR: return DS_MOB_BRR_LEN;
	case DS_MOB_BU: return DS_MOB_BU_LEN;
	case DS_MOB_BA: return DS_MOB_BA_LEN;
	case DS_MOB_BE: return DS_MOB_BE_LEN;
	case DS_MOB_BR: return DS_MOB_BR_LEN;
	default: return 0;
	}
}

static void encode_body(ds_wr *w, const ds_mob_msg *m)
{
	switch (m->type) {
	case DS_MOB_BRR:                                  /* cl. 6.1.2 */
		ds_wr_u16(w, 0);
		break;
	case DS_MOB_BU:                                   /* cl. 6.1.7 */
		ds_wr_u16(w, m->bu.seq);
		ds_wr_u16(w, m->bu.flags & DS_MOB_BU_FLAGS);
		ds_wr_u16(w, m->bu.lifetime);
		break;
	case DS_MOB_BA:                                   /* cl. 6.1.8 */
		ds_wr_u8(w, m->ba.status);
		ds_wr_u8(w, m->ba.flags & DS_MOB_BA_FLAGS);
		ds_wr_u16(w, m->ba.seq);
		ds_wr_u16(w, m->ba.lifetime);
		break;
	case DS_MOB_BE:                                   /* cl. 6.1.9 */
		ds_wr_u8(w, m->be.status);
		ds_wr_u8(w, 0);
		ds_wr_bytes(w, m->be.hoa, 16);
		break;
	case DS_MOB_BR:                                   /* RFC 5846 cl. 5.1, 5.2 */
		ds_wr_u8(w, m->br.type);
		ds_wr_u8(w, m->br.code);
		ds_wr_u16(w, m->br.seq);
		ds_wr_u16(w, m->br.flags & DS_MOB_BR_FLAGS);
		break;
	default:
		break;
	}
}

int ds_mob_encode(const ds_mob_msg *m, uint8_t *out, size_t cap, size_t *out_len)
{
	if (!m || !out || !out_len || fixed_len(m->type) == 0)
		return DS_E_PARAM;
	if (m->type == DS_MOB_BR && m->br.type != DS_MOB_BRI && m->br.type != DS_MOB_BRA)
		return DS_E_PARAM;
	ds_wr w = ds_wr_init(out, cap);
	ds_wr_u8(&w, DS_NH_NONE);        /* Payload Proto: senders use 59 (cl. 6.1.1) */
	ds_wr_u8(&w, 0);                 /* Header Len, filled below */
	ds_wr_u8(&w, m->type);
	ds_wr_u8(&w, 0);
	ds_wr_u16(&w, 0);                /* Checksum, zero until ds_mob_csum_set */
	encode_body(&w, m);
	int rc = ds_mob_opts_encode(&w, &m->opt);
	if (rc)
		return rc;
	/* cl. 6.1.1: the MH is a multiple of 8 octets; pad with Pad1/PadN (cl. 6.2). */
	ds_mob_pad_to(&w, 8, 0);
	if (w.err)
		return DS_E_NOSPACE;
	if (w.off > DS_MOB_MAX_LEN)
		return DS_E_PARAM;
	out[OFF_HDRLEN] = (uint8_t)(w.off / 8 - 1);
	*out_len = w.off;
	return DS_OK;
}

void ds_mob_csum_set(uint8_t *mh, size_t len, const uint8_t src[16], const uint8_t dst[16])
{
	if (len < DS_MOB_HDR_LEN)
		return;
	ds_put_u16(mh + OFF_CSUM, 0);
	ds_put_u16(mh + OFF_CSUM, ds_csum_ipv6(src, dst, DS_NH_MH, mh, len));
}

int ds_mob_encode_csum(const ds_mob_msg *m, const uint8_t src[16], const uint8_t dst[16],
		       uint8_t *out, size_t cap, size_t *out_len)
{
	int rc = ds_mob_encode(m, out, cap, out_len);
	if (rc == DS_OK)
		ds_mob_csum_set(out, *out_len, src, dst);
	return rc;
}

int ds_mob_csum_verify(const uint8_t *mh, size_t len, const uint8_t src[16],
		       const uint8_t dst[16])
{
	if (len < DS_MOB_HDR_LEN)
		return DS_E_TRUNCATED;
	/* Summing a correct message, checksum field included, gives 0 (RFC 1071). */
	return ds_csum_ipv6(src, dst, DS_NH_MH, mh, len) == 0 ? DS_OK : DS_E_CHECKSUM;
}

static int decode_body(ds_rd *r, ds_mob_msg *m)
{
	switch (m->type) {
	case DS_MOB_BRR:
		ds_rd_skip(r, 2);                         /* Reserved, ignored */
		break;
	case DS_MOB_BU:
		m->bu.seq = ds_rd_u16(r);
		m->bu.flags = ds_rd_u16(r) & DS_MOB_BU_FLAGS;  /* reserved bits ignored */
		m->bu.lifetime = ds_rd_u16(r);
		break;
	case DS_MOB_BA:
		m->ba.status = ds_rd_u8(r);
		m->ba.flags = ds_rd_u8(r) & DS_MOB_BA_FLAGS;
		m->ba.seq = ds_rd_u16(r);
		m->ba.lifetime = ds_rd_u16(r);
		break;
	case DS_MOB_BE:
		m->be.status = ds_rd_u8(r);
		ds_rd_skip(r, 1);
		ds_rd_copy(r, m->be.hoa, 16);
		break;
	case DS_MOB_BR:
		m->br.type = ds_rd_u8(r);
		m->br.code = ds_rd_u8(r);
		m->br.seq = ds_rd_u16(r);
		m->br.flags = ds_rd_u16(r) & DS_MOB_BR_FLAGS;
		/* RFC 5846 cl. 5: B.R. Type 0 is reserved, 3..255 unassigned. */
		if (m->br.type != DS_MOB_BRI && m->br.type != DS_MOB_BRA) {
			m->err_off = DS_MOB_HDR_LEN;
			return DS_E_RESERVED;
		}
		break;
	default:
		break;
	}
	return r->err ? DS_E_TRUNCATED : DS_OK;
}

int ds_mob_decode(const uint8_t *p, size_t len, ds_mob_msg *m)
{
	memset(m, 0, sizeof *m);
	if (!p || len < DS_MOB_HDR_LEN)
		return DS_E_TRUNCATED;
	ds_rd r = ds_rd_init(p, len);
	m->payload_proto = ds_rd_u8(&r);
	size_t mh_len = ((size_t)ds_rd_u8(&r) + 1) * 8;
	m->type = ds_rd_u8(&r);
	ds_rd_skip(&r, 3);               /* Reserved (ignored) and Checksum */
	/* RFC 6275 cl. 9.2: the MH must fit in the packet, and be the packet's last header. */
	m->err_off = OFF_HDRLEN;
	if (mh_len > len)
		return DS_E_OVERRUN;
	if (mh_len < len)
		return DS_E_BADLEN;
	size_t fl = fixed_len(m->type);
	if (fl == 0) {
		/* Unknown or unsupported MH type: the caller answers BE status 2 (cl. 9.2). */
		m->err_off = OFF_TYPE;
		return DS_E_UNKNOWN_TYPE;
	}
	/* Header Len below the message minimum: discard, ICMPv6 Parameter Problem code 0
	 * pointing at Header Len (cl. 9.2). */
	if (mh_len < fl)
		return DS_E_BADLEN;
	m->err_off = 0;
	int rc = decode_body(&r, m);
	if (rc)
		return rc;
	rc = ds_mob_opts_decode(p, fl, mh_len, &m->opt, &m->err_off);
	if (rc)
		return rc;
	m->err_off = 0;
	return DS_OK;
}

int ds_mob_decode_csum(const uint8_t *p, size_t len, const uint8_t src[16],
		       const uint8_t dst[16], ds_mob_msg *m)
{
	memset(m, 0, sizeof *m);
	int rc = ds_mob_csum_verify(p, len, src, dst);
	if (rc)
		return rc;
	return ds_mob_decode(p, len, m);
}

bool ds_mob_msg_eq(const ds_mob_msg *a, const ds_mob_msg *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case DS_MOB_BRR:
		break;
	case DS_MOB_BU:
		if (a->bu.seq != b->bu.seq || a->bu.lifetime != b->bu.lifetime ||
		    (a->bu.flags & DS_MOB_BU_FLAGS) != (b->bu.flags & DS_MOB_BU_FLAGS))
			return false;
		break;
	case DS_MOB_BA:
		if (a->ba.status != b->ba.status || a->ba.seq != b->ba.seq ||
		    a->ba.lifetime != b->ba.lifetime ||
		    (a->ba.flags & DS_MOB_BA_FLAGS) != (b->ba.flags & DS_MOB_BA_FLAGS))
			return false;
		break;
	case DS_MOB_BE:
		if (a->be.status != b->be.status || memcmp(a->be.hoa, b->be.hoa, 16))
			return false;
		break;
	case DS_MOB_BR:
		if (a->br.type != b->br.type || a->br.code != b->br.code || a->br.seq != b->br.seq ||
		    (a->br.flags & DS_MOB_BR_FLAGS) != (b->br.flags & DS_MOB_BR_FLAGS))
			return false;
		break;
	default:
		return false;
	}
	return ds_mob_opts_eq(&a->opt, &b->opt);
}
